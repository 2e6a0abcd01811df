@testable import CommunityMailSystem
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `poll()` that fails with a chosen `errno` a number of times, then is the real one.
private final class FailingPoll: Sendable {
    private let failuresLeft: Mutex<Int>
    private let number: Int32

    init(failing count: Int, with number: Int32) {
        failuresLeft = Mutex(count)
        self.number = number
    }

    var calls: SocketPoller.SystemPoll {
        { [self] descriptors, count, timeout in
            let fail = failuresLeft.withLock { left in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            guard fail else { return poll(descriptors, count, timeout) }
            errno = number
            return -1
        }
    }

    var remaining: Int { failuresLeft.withLock { $0 } }
}

/// What the poller does when `poll()` itself fails.
@Suite struct SocketPollerFailureTests {
    @Test("poll() failing with ENOMEM (or EAGAIN) fails no wait: the poller backs off and polls again", arguments: [ENOMEM, EAGAIN])
    func aPassingShortageIsRetried(number: Int32) async throws {
        let failing = FailingPoll(failing: 4, with: number)
        let poller = SocketPoller(systemPoll: failing.calls)
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { for end in ends { _ = close(end) } }
        var byte: UInt8 = 1
        #expect(write(ends[1], &byte, 1) == 1)
        // Readable from the start: only the failing poll()s stand between the wait and its end.
        try await poller.waitReadable(ends[0], deadline: .now + .seconds(300))
        #expect(failing.remaining == 0)
        #expect(poller.waitingCount == 0)
    }

    @Test("poll() failing with EINVAL ends the waits it covered with limitReached")
    func tooManyDescriptorsFailsTheWaits() async throws {
        let poller = SocketPoller(systemPoll: FailingPoll(failing: 1, with: EINVAL).calls)
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { for end in ends { _ = close(end) } }
        await #expect(throws: NetworkError.limitReached("")) {
            try await poller.waitReadable(ends[0], deadline: .now + .seconds(300))
        }
    }
}
