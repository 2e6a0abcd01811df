import Foundation

/// Runs blocking work (waiting for a child process, reading a pipe to its end) on a thread
/// of its own.
///
/// Swift's cooperative pool has one thread per core, and every test of a parallel run
/// shares it: on a two-core machine two blocked tests stall all the others, and timing
/// tests elsewhere (DNS deadlines, peer start-up) then fail for no reason of their own.
public enum BlockingWork {
    /// `body`'s result, computed on a new thread while the calling task is suspended.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
