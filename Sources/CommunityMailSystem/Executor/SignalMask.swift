#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps asynchronous signals away from the threads this package starts.
///
/// A process receives a signal such as SIGCHLD or SIGTERM on any thread that does not block
/// it. Foundation's `Process` and Dispatch's signal sources on Linux read those signals from
/// a `signalfd`, which sees only signals no thread took: delivered to one of our executor or
/// poller threads instead, SIGCHLD is dropped (its default action is to ignore it), a child
/// is never reaped and `Process.waitUntilExit()` waits forever. So every thread we start
/// blocks them; faults raised by the thread itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
/// SIGTRAP, SIGABRT, SIGSYS) stay unblocked.
package enum SignalMask {
    /// Blocks every asynchronous signal on the calling thread, which should be one this
    /// package started.
    package static func blockAsynchronousSignalsOnThisThread() {
        var set = sigset_t()
        sigfillset(&set)
        for fault in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS] { sigdelset(&set, fault) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
