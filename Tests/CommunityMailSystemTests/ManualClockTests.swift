import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@Suite struct ManualClockTests {
    @Test func aSleeperWakesOnlyWhenTheClockPassesItsDeadline() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let sleeper = Task { try await clock.sleep(until: start.addingTimeInterval(10)) }
        try await waitUntil("the task sleeps") { clock.sleeperCount > 0 }
        clock.advance(by: 9)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.now() == start.addingTimeInterval(10))
    }

    @Test func cancellingASleeperThrowsAndForgetsIt() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
        try await waitUntil("the task sleeps") { clock.sleeperCount > 0 }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aTaskCancelledBeforeItSleepsDoesNotSleep() async {
        let clock = ManualClock()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aClockThatAdvancesOnSleepRecordsTheWaits() async throws {
        let clock = ManualClock(advancesOnSleep: true)
        let start = clock.now()
        try await clock.sleep(for: .seconds(2))
        try await clock.sleep(for: .milliseconds(500))
        try await clock.sleep(until: start)
        #expect(clock.sleeps == [.seconds(2), .milliseconds(500), .zero])
        #expect(clock.now() == start.addingTimeInterval(2.5))
    }

    @Test func settingTheClockBackwardsKeepsSleepersAsleep() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let sleeper = Task { try await clock.sleep(until: start.addingTimeInterval(5)) }
        try await waitUntil("the task sleeps") { clock.sleeperCount > 0 }
        clock.set(start.addingTimeInterval(-3600))
        #expect(clock.sleeperCount == 1)
        clock.set(start.addingTimeInterval(5))
        try await sleeper.value
    }

    @Test func theSystemClockSleepsOnTheMachinesTime() async throws {
        let clock = SystemClock()
        let before = Date()
        try await clock.sleep(for: .milliseconds(20))
        #expect(clock.now().timeIntervalSince(before) >= 0.02)
        try await clock.sleep(until: before)  // already past: returns at once
    }
}
