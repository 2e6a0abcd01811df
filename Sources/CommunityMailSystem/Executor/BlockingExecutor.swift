import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place where blocking work runs: a bounded set of threads of its own, so that
/// SQLite calls, `getaddrinfo`, file I/O and child processes never hold one of Swift's
/// cooperative threads.
///
/// Jobs run in the order they were submitted. A job cannot be interrupted from outside;
/// cancelling the task that submitted it sets the `BlockingCancellation` the job receives,
/// and a job still queued when its task is cancelled runs with the flag already set, so it
/// can return at once. The submitter always gets the job's own result: no job is dropped
/// silently.
///
/// Threads start on demand, up to `Configuration.threadCount`, and stay until
/// `shutdown()`; the shared executor lives as long as the process.
public final class BlockingExecutor: Sendable {
    /// How many threads an executor may run.
    public struct Configuration: Sendable {
        /// The most jobs running at once; further jobs wait in a queue. Default: 16, or
        /// four per processor when that is more: most jobs wait on a disk or a lock, not
        /// on a processor.
        public var threadCount: Int = max(16, 4 * ProcessInfo.processInfo.activeProcessorCount)
        /// The threads' name, as debuggers and `top -H` show it. Default: "blocking".
        public var threadName: String = "blocking"

        /// The defaults above.
        public init() {}
    }

    /// The executor every module uses unless a host passes its own.
    public static let shared = BlockingExecutor()

    typealias Job = @Sendable () -> Void

    private final class Queue: @unchecked Sendable {
        // @unchecked: every field is read and written with `condition` locked.
        let condition = NSCondition()
        var jobs: [Job] = []
        var head = 0
        var threads = 0
        var idle = 0
        var running = 0
        var stopping = false
    }

    private let queue = Queue()
    /// How many jobs went through the queue (for tests: a job run inline does not count).
    let submittedJobs = Atomic<Int>(0)
    private let configuration: Configuration

    /// An executor with its own threads.
    public init(configuration: Configuration = Configuration()) {
        var configuration = configuration
        configuration.threadCount = max(1, configuration.threadCount)
        self.configuration = configuration
    }

    /// Runs `body` on one of the executor's threads and returns what it returns (or throws
    /// what it throws).
    public func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable (BlockingCancellation) throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let cancellation = BlockingCancellation()
        if isCurrentThread {
            // Already on one of our threads (a task that prefers this executor): no hop.
            let outcome: Result<Value, Failure> = await withTaskCancellationHandler {
                defer { cancellation.finish() }
                do throws(Failure) {
                    return .success(try body(cancellation))
                } catch {
                    return .failure(error)
                }
            } onCancel: {
                cancellation.cancel()
            }
            return try outcome.get()
        }
        let result: Result<Value, Failure> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
                submit {
                    let outcome: Result<Value, Failure>
                    do throws(Failure) {
                        outcome = .success(try body(cancellation))
                    } catch {
                        outcome = .failure(error)
                    }
                    cancellation.finish()
                    continuation.resume(returning: outcome)
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    /// Runs `body` on one of the executor's threads; for jobs too short to look at
    /// cancellation.
    public func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        try await run { (_: BlockingCancellation) throws(Failure) -> Value in try body() }
    }

    /// How many jobs are queued or running now (for tests and metrics).
    public var pendingJobs: Int {
        queue.condition.lock()
        defer { queue.condition.unlock() }
        return queue.jobs.count - queue.head + queue.running
    }

    /// How many threads the executor has started.
    public var threadCount: Int {
        queue.condition.lock()
        defer { queue.condition.unlock() }
        return queue.threads
    }

    /// Lets the threads finish the queued jobs and exit. Jobs submitted afterwards run on
    /// a thread of their own, so nothing submitted is ever lost.
    public func shutdown() {
        queue.condition.lock()
        queue.stopping = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    func submit(_ job: @escaping Job) {
        submittedJobs.add(1, ordering: .relaxed)
        let queue = self.queue
        queue.condition.lock()
        if queue.stopping {
            queue.condition.unlock()
            Thread.detachNewThread {
                SignalMask.blockAsynchronousSignalsOnThisThread()
                job()
            }
            return
        }
        queue.jobs.append(job)
        let startThread = queue.jobs.count - queue.head > queue.idle && queue.threads < configuration.threadCount
        if startThread { queue.threads += 1 }
        queue.condition.signal()
        queue.condition.unlock()
        guard startThread else { return }
        let name = configuration.threadName
        let thread = Thread {
            SignalMask.blockAsynchronousSignalsOnThisThread()
            Self.nameCurrentThread(name)
            Self.work(queue)
        }
        thread.start()
    }

    /// Names the running thread for debuggers and `top -H` (Foundation passes it to the
    /// system only when the thread names itself; Linux keeps 15 bytes).
    private static func nameCurrentThread(_ name: String) {
        Thread.current.name = name
    }

    /// Whether the calling thread is one of this executor's.
    public var isCurrentThread: Bool {
        pthread_getspecific(Self.threadOwnerKey) == Unmanaged.passUnretained(queue).toOpaque()
    }

    /// The thread-specific slot where each thread records the queue it serves.
    private static let threadOwnerKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    private static func work(_ queue: Queue) {
        _ = pthread_setspecific(threadOwnerKey, Unmanaged.passUnretained(queue).toOpaque())
        queue.condition.lock()
        while true {
            if queue.head < queue.jobs.count {
                let job = queue.jobs[queue.head]
                queue.head += 1
                if queue.head > 64, queue.head * 2 > queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                queue.running += 1
                queue.condition.unlock()
                job()
                queue.condition.lock()
                queue.running -= 1
                continue
            }
            if queue.stopping { break }
            queue.idle += 1
            queue.condition.wait()
            queue.idle -= 1
        }
        queue.threads -= 1
        queue.condition.unlock()
    }
}
