@testable import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct BlockingExecutorTests {
    private struct Refused: Error, Equatable { let code: Int }

    @Test func aJobReturnsItsValueAndThrowsItsTypedError() async throws {
        let executor = BlockingExecutor()
        defer { executor.shutdown() }
        #expect(await executor.run { 6 * 7 } == 42)
        do {
            _ = try await executor.run { () throws(Refused) -> Int in throw Refused(code: 7) }
            Issue.record("the job's error was lost")
        } catch {
            #expect(error == Refused(code: 7))
        }
    }

    /// A job blocks its thread, not one of Swift's cooperative threads: with more blocked
    /// jobs than the machine has processors, async work still proceeds.
    @Test func blockedJobsDoNotStarveTheCooperativePool() async {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 2 * ProcessInfo.processInfo.activeProcessorCount + 2
        let executor = BlockingExecutor(configuration: configuration)
        defer { executor.shutdown() }
        let gate = ThreadGate()
        let jobs = configuration.threadCount
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    await executor.run {
                        gate.wait()
                    }
                }
            }
            try? await waitUntil("every job holds a thread") { executor.threadCount >= jobs }
            #expect(executor.threadCount >= jobs)
            // Every job now holds a thread; the pool must still run this task.
            let answer = await Task { 1 + 1 }.value
            #expect(answer == 2)
            gate.open()
        }
        #expect(executor.pendingJobs == 0)
    }

    private final class Counters: Sendable {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
    }

    private final class Flags: Sendable {
        let started = Atomic<Bool>(false)
        let interrupted = Atomic<Bool>(false)
    }


    @Test func theThreadCountIsBoundedAndQueuedJobsAllRun() async {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 3
        let executor = BlockingExecutor(configuration: configuration)
        defer { executor.shutdown() }
        let counters = Counters()
        let total = await withTaskGroup(of: Int.self, returning: Int.self) { group in
            for index in 0..<200 {
                group.addTask {
                    await executor.run {
                        let now = counters.running.add(1, ordering: .relaxed).newValue
                        counters.peak.max(now, ordering: .relaxed)
                        usleep(200)
                        counters.running.subtract(1, ordering: .relaxed)
                        return index
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(total == (0..<200).reduce(0, +))
        let highest = counters.peak.load(ordering: .relaxed)
        #expect(highest <= 3)
        #expect(executor.threadCount <= 3)
    }

    @Test func cancellingTheTaskSetsTheJobsFlagAndRunsItsHandler() async throws {
        let executor = BlockingExecutor()
        defer { executor.shutdown() }
        let flags = Flags()
        let task = Task {
            await executor.run { (cancellation: BlockingCancellation) -> Bool in
                cancellation.onCancel { flags.interrupted.store(true, ordering: .releasing) }
                flags.started.store(true, ordering: .releasing)
                while !cancellation.isCancelled { usleep(1000) }
                return true
            }
        }
        try await waitUntil("the job started") { flags.started.load(ordering: .acquiring) }
        task.cancel()
        let sawCancellation = await task.value
        #expect(sawCancellation)
        let handlerRan = flags.interrupted.load(ordering: .acquiring)
        #expect(handlerRan)
    }

    @Test func aJobSubmittedAfterShutdownStillRuns() async {
        let executor = BlockingExecutor()
        executor.shutdown()
        #expect(await executor.run { "ran" } == "ran")
    }
}

/// A task that prefers the executor runs its blocking calls where it already is.
@Suite struct BlockingExecutorPreferenceTests {
    @Test func jobsOfATaskThatPrefersTheExecutorRunInline() async {
        let executor = BlockingExecutor()
        defer { executor.shutdown() }
        let outcome: (onExecutor: Bool, inline: [Bool], submittedDuringRuns: Int) = await withTaskExecutorPreference(executor) {
            let onExecutor = executor.isCurrentThread
            let before = executor.submittedJobs.load(ordering: .relaxed)
            var inline: [Bool] = []
            for _ in 0..<50 { inline.append(await executor.run { executor.isCurrentThread }) }
            return (onExecutor, inline, executor.submittedJobs.load(ordering: .relaxed) - before)
        }
        #expect(outcome.onExecutor)
        #expect(outcome.inline.allSatisfy { $0 })
        // Fifty runs from the preferring task cost no trip through the queue.
        #expect(outcome.submittedDuringRuns == 0)
        // From the cooperative pool, each run is one queued job.
        let before = executor.submittedJobs.load(ordering: .relaxed)
        #expect(!executor.isCurrentThread)
        for _ in 0..<5 { _ = await executor.run { 0 } }
        #expect(executor.submittedJobs.load(ordering: .relaxed) - before == 5)
    }
}
