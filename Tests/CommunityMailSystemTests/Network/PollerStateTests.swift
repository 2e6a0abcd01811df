@testable import CommunityMailSystem
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The poller's bookkeeping without its thread: which waits one `poll()`'s results end.
@Suite struct PollerStateTests {
    private let farDeadline = ContinuousClock.now + .seconds(3600)

    @Test("A hang-up from poll() ends the waits its snapshot covered, not a wait registered on the reused number since")
    func staleReadinessSkipsNewerWaits() {
        var state = PollerState()
        let closedSocketsWait = PollWait()
        state.add(.init(events: Int16(POLLIN), deadline: farDeadline, token: closedSocketsWait), on: 7)
        var polled: [pollfd] = []
        let snapshot = state.snapshot(into: &polled)
        // While the thread is inside poll(), number 7 is closed and a new connect gets it.
        let newConnectsWait = PollWait()
        state.add(.init(events: Int16(POLLOUT), deadline: farDeadline, token: newConnectsWait), on: 7)
        polled[0].revents = Int16(POLLHUP)

        let finished = state.apply(polled, of: snapshot, failure: nil, now: .now)
        #expect(finished.count == 1)
        #expect(finished.first?.0 === closedSocketsWait)
        #expect(state.waitCount == 1)
        #expect(state.waits[7]?[ObjectIdentifier(newConnectsWait)] != nil)

        // The next poll() covers it: its own events end it.
        var next: [pollfd] = []
        let nextSnapshot = state.snapshot(into: &next)
        #expect(next.count == 1 && next[0].events == Int16(POLLOUT))
        next[0].revents = Int16(POLLOUT)
        let ended = state.apply(next, of: nextSnapshot, failure: nil, now: .now)
        #expect(ended.count == 1 && ended.first?.0 === newConnectsWait)
        #expect(state.waitCount == 0 && state.waits.isEmpty)
    }

    @Test("A failed poll() fails the waits it covered; a wait registered since stays")
    func failureSkipsNewerWaits() {
        var state = PollerState()
        let covered = PollWait()
        state.add(.init(events: Int16(POLLIN), deadline: farDeadline, token: covered), on: 9)
        var polled: [pollfd] = []
        let snapshot = state.snapshot(into: &polled)
        let newer = PollWait()
        state.add(.init(events: Int16(POLLIN), deadline: farDeadline, token: newer), on: 9)

        let finished = state.apply(polled, of: snapshot, failure: .limitReached("test", errno: EINVAL), now: .now)
        #expect(finished.count == 1)
        #expect(finished.first?.0 === covered)
        if case .failed(let error)? = finished.first?.1 {
            #expect(error == .limitReached(""))
        } else {
            Issue.record("the covered wait did not fail")
        }
        #expect(state.waitCount == 1)
    }

    @Test("Readiness ends only the waits that asked for it; a deadline ends any wait once the nearest polled one passed")
    func readinessAndDeadlines() {
        var state = PollerState()
        let start = ContinuousClock.now
        let reader = PollWait(), writer = PollWait(), late = PollWait()
        state.add(.init(events: Int16(POLLIN), deadline: farDeadline, token: reader), on: 3)
        state.add(.init(events: Int16(POLLOUT), deadline: farDeadline, token: writer), on: 3)
        state.add(.init(events: Int16(POLLIN), deadline: start + .seconds(1), token: late), on: 4)
        var polled: [pollfd] = []
        let snapshot = state.snapshot(into: &polled)
        #expect(polled.count == 2)
        #expect(snapshot.nearestDeadline == start + .seconds(1))
        for index in polled.indices where polled[index].fd == 3 { polled[index].revents = Int16(POLLIN) }

        let finished = state.apply(polled, of: snapshot, failure: nil, now: start + .seconds(2))
        #expect(finished.count == 2)
        #expect(finished.contains { $0.0 === reader })
        #expect(finished.contains { wait, outcome in
            if case .timedOut = outcome { return wait === late }
            return false
        })
        #expect(state.waitCount == 1)
        #expect(state.waits[3]?[ObjectIdentifier(writer)] != nil)
    }
}
