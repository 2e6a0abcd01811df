import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a mailbox's lock file: at most one writer per
/// mailbox across processes. `flock` locks belong to the open file, so a second open in
/// the same process is kept out too, and the kernel drops the lock if the process dies.
final class MailboxFileLock: Sendable {
    private let descriptor: Mutex<Int32?>

    /// Takes the lock at `path` (creating the file, mode 0600) without waiting.
    /// - Throws: `MailboxError.locked` when another holder has it, `.io` when the file cannot be opened.
    init(path: String) throws(MailboxError) {
        let fd = openLockFile(path)
        guard fd >= 0 else { throw MailboxError.io.with(message: "cannot open the lock file (errno \(errno))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw MailboxError.locked }
            throw MailboxError.io.with(message: "cannot lock the mailbox (errno \(code))")
        }
        descriptor = Mutex(fd)
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        descriptor.withLock { fd in
            if let open = fd {
                flock(open, LOCK_UN)
                close(open)
            }
            fd = nil
        }
    }

    deinit { release() }
}

/// `open(2)` for a lock file, named apart from `FileHandle`'s methods.
private func openLockFile(_ path: String) -> Int32 {
    open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
}
