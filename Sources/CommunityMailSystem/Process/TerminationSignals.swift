#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM and SIGINT as values an async server loop can wait for, without Dispatch: a
/// handler writes the signal's number to a pipe (`write` is async-signal-safe; little else
/// is) and ``next()`` reads it on a thread of its own.
///
/// A mask and `sigwait` cannot serve an executable whose `main` is async: its top-level
/// code runs on a worker thread, while the process's first thread keeps every signal
/// unblocked and would take SIGTERM with its default action (the package's own threads
/// block asynchronous signals; see CommunityMailSystem.md).
///
/// ```swift
/// TerminationSignals.install()
/// Task.detached {
///     let signal = await TerminationSignals.next()   // SIGTERM or SIGINT
///     server.close()
/// }
/// ```
public enum TerminationSignals {
    /// The pipe's ends. Set once by ``install()`` before any handler can run, and only
    /// read afterwards; a constant-initialised static needs no lazy initialisation in the
    /// handler.
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    /// The one thread that waits on the pipe.
    private static let executor: BlockingExecutor = {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 1
        configuration.threadName = "signals"
        return BlockingExecutor(configuration: configuration)
    }()

    /// Creates the pipe (both ends close-on-exec, the handler's end non-blocking, so a
    /// flood of signals never blocks it) and installs the handler for SIGTERM and SIGINT.
    /// Call it once, early in `main`.
    /// - Returns: false when no pipe could be made (the signals keep their default action).
    @discardableResult
    public static func install() -> Bool {
        guard readEnd < 0 else { return true }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        readEnd = ends[0]
        writeEnd = ends[1]
        for number in [SIGTERM, SIGINT] {
            _ = signal(number) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(TerminationSignals.writeEnd, &byte, 1)
            }
        }
        return true
    }

    /// Waits for the next SIGTERM or SIGINT after ``install()`` and returns its number
    /// (SIGTERM at once without ``install()``, or when the pipe cannot be read). The blocking read holds one thread of an
    /// executor made for it, never one of Swift's cooperative pool.
    public static func next() async -> Int32 {
        let descriptor = readEnd
        guard descriptor >= 0 else { return SIGTERM }
        return await executor.run { _ in
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count == 1 { return Int32(byte) }
                if count == 0 || (count < 0 && errno != EINTR) { return SIGTERM }
            }
        }
    }
}
