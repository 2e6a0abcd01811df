import CommunityMailSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM and SIGINT without Dispatch: a handler writes the signal's number to a pipe
/// (`write` is async-signal-safe; little else is) and ``next()`` reads it on a thread of its
/// own.
///
/// A mask and `sigwait` cannot be used here: the top-level code of an async `main` runs
/// on a worker thread, not on the process's first thread, which keeps every signal
/// unblocked and would take SIGTERM with its default action (the package's own threads
/// block asynchronous signals; see CommunityMailSystem.md).
enum TerminationSignal {
    /// The pipe's write end, for the handler. Set once by ``install()`` before any handler
    /// can run, and only read afterwards; a constant-initialised static needs no lazy
    /// initialisation in the handler.
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    /// The one thread that waits on the pipe.
    private static let executor: BlockingExecutor = {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 1
        configuration.threadName = "signals"
        return BlockingExecutor(configuration: configuration)
    }()

    /// Creates the pipe and installs the handler for SIGTERM and SIGINT.
    /// - Returns: false when no pipe could be made (the signals keep their default action).
    @discardableResult
    static func install() -> Bool {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return false }
        readEnd = ends[0]
        writeEnd = ends[1]
        for number in [SIGTERM, SIGINT] {
            _ = signal(number) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(TerminationSignal.writeEnd, &byte, 1)
            }
        }
        return true
    }

    /// Waits for SIGTERM or SIGINT and returns its number. The blocking read holds one
    /// thread of an executor made for it, never one of Swift's cooperative pool.
    static func next() async -> Int32 {
        let descriptor = readEnd
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
