import CommunityMailSystem
import CommunityMailTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct SocketPollerTests {
    /// A non-blocking pipe, closed by the test.
    private struct Pipe {
        let reader: Int32
        let writer: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
            (reader, writer) = (ends[0], ends[1])
        }

        func close() {
            closeDescriptor(reader)
            closeDescriptor(writer)
        }
    }

    @Test func aWaitEndsWhenTheDescriptorBecomesReadable() async throws {
        let poller = SocketPoller()
        let pipe = try Pipe()
        defer { pipe.close() }
        let waiter = Task { try await poller.waitReadable(pipe.reader, deadline: .now + .seconds(60)) }
        try await waitUntil("the wait is registered") { poller.waitingCount > 0 }
        var byte: UInt8 = 1
        #expect(write(pipe.writer, &byte, 1) == 1)
        try await waiter.value
        #expect(poller.waitingCount == 0)
        // A pipe with room is writable at once.
        try await poller.waitWritable(pipe.writer, deadline: .now + .seconds(60))
    }

    @Test func waitsWithDifferentDeadlinesEachEndAtTheirOwn() async throws {
        let poller = SocketPoller()
        let pipe = try Pipe()
        defer { pipe.close() }
        let start = ContinuousClock.now
        let short = Task { try await poller.waitReadable(pipe.reader, deadline: start + .milliseconds(50)) }
        let long = Task { try await poller.waitReadable(pipe.reader, deadline: start + .seconds(3600)) }
        await #expect(throws: NetworkError.timedOut("")) { try await short.value }
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        // The long wait is still there: the short one's deadline did not end it.
        try await waitUntil("only the long wait is left") { poller.waitingCount == 1 }
        long.cancel()
        await #expect(throws: NetworkError.cancelled("")) { try await long.value }
        #expect(poller.waitingCount == 0)
    }

    @Test func aTaskCancelledBeforeItWaitsDoesNotWait() async throws {
        let poller = SocketPoller()
        let pipe = try Pipe()
        defer { pipe.close() }
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await poller.waitReadable(pipe.reader, deadline: .now + .seconds(60))
        }
        await #expect(throws: NetworkError.cancelled("")) { try await waiter.value }
        #expect(poller.waitingCount == 0)
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
