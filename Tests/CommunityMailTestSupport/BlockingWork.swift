public import CommunityMailSystem
import Foundation

/// Runs blocking work (waiting for a child process, reading a pipe to its end) on a
/// `BlockingExecutor`, never on Swift's cooperative pool.
///
/// Swift's cooperative pool has one thread per core, and every test of a parallel run
/// shares it: on a two-core machine two blocked tests stall all the others, and timing
/// tests elsewhere (DNS deadlines, peer start-up) then fail for no reason of their own.
/// The executor is the test support's own, so children that take long to exit never hold
/// the threads of `BlockingExecutor.shared`, which the stores under test use.
public enum BlockingWork {
    /// The test support's executor: many threads, since most jobs wait on a child.
    public static let executor: BlockingExecutor = {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 64
        configuration.threadName = "test-support"
        return BlockingExecutor(configuration: configuration)
    }()

    /// `body`'s result, computed on ``executor`` while the calling task is suspended.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await executor.run { () throws(any Error) -> T in try body() }
    }
}
