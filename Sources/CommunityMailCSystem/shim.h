// System calls that Swift's Glibc module does not show, under a project-unique module name
// (used by CommunityMailSystem only). No library is linked: these are libc's own.
#ifndef COMMUNITYMAIL_C_SYSTEM_SHIM_H
#define COMMUNITYMAIL_C_SYSTEM_SHIM_H

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __linux__
// glibc declares accept4() and pipe2() only under _GNU_SOURCE, which the Glibc module is
// built without. A host that builds with _GNU_SOURCE (-Xcc -D_GNU_SOURCE) gets glibc's own
// declarations, whose transparent-union argument would conflict with these.
#ifndef _GNU_SOURCE
extern int accept4(int, struct sockaddr *, socklen_t *, int);
extern int pipe2(int[2], int);
#endif

/// accept() that sets SOCK_CLOEXEC and SOCK_NONBLOCK on the new socket atomically, so a
/// fork+exec on another thread never inherits it.
static inline int communitymail_accept_cloexec_nonblock(int descriptor, struct sockaddr *address, socklen_t *length) {
    return accept4(descriptor, address, length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

// glibc 2.34+; declared in <spawn.h> only under _GNU_SOURCE. Taken as `void *` so this
// header need not include <spawn.h> (whose types then stay the Glibc module's).
extern int posix_spawn_file_actions_addclosefrom_np(void *, int);

/// Adds to a `posix_spawn_file_actions_t` the action closing every descriptor from
/// `first` up, so a child inherits only what it is given.
static inline int communitymail_spawn_close_from(void *actions, int first) {
    return posix_spawn_file_actions_addclosefrom_np(actions, first);
}

/// pipe() with both ends close-on-exec and non-blocking from the start.
static inline int communitymail_pipe_cloexec_nonblock(int ends[2]) {
    return pipe2(ends, O_CLOEXEC | O_NONBLOCK);
}
#endif

#endif
