import CommunityMailSystem
import Testing

/// The in-memory `ByteStream` fake behaves like a TCP connection where protocol code can
/// tell: order, end of stream, backpressure, closing, deadlines.
@Suite struct InMemoryByteStreamTests {
    static func deadline() -> ContinuousClock.Instant { .now + .seconds(120) }

    @Test func bytesArriveInOrderAndTheEndOfStreamAfterClose() async throws {
        let (left, right) = InMemoryByteStream.makePair()
        try await left.write([1, 2, 3], deadline: Self.deadline())
        try await left.write([4, 5], deadline: Self.deadline())
        #expect(try await right.read(maximumCount: 2, deadline: Self.deadline()) == [1, 2])
        #expect(try await right.read(maximumCount: 10, deadline: Self.deadline()) == [3, 4, 5])
        try await right.write([9], deadline: Self.deadline())
        #expect(try await left.read(maximumCount: 10, deadline: Self.deadline()) == [9])
        try await left.write([6], deadline: Self.deadline())
        await left.close()
        // What was written before the close is still read, then the end.
        #expect(try await right.read(maximumCount: 10, deadline: Self.deadline()) == [6])
        #expect(try await right.read(maximumCount: 10, deadline: Self.deadline()) == [])
        await #expect(throws: NetworkError.connectionReset("")) { try await right.write([7], deadline: Self.deadline()) }
        await #expect(throws: NetworkError.closed("")) { _ = try await left.read(maximumCount: 1, deadline: Self.deadline()) }
        await #expect(throws: NetworkError.closed("")) { try await left.write([1], deadline: Self.deadline()) }
        await left.close()
    }

    @Test func aWaitingReaderWakesForDataAndForTheEnd() async throws {
        let (left, right) = InMemoryByteStream.makePair()
        async let first = right.read(maximumCount: 10, deadline: Self.deadline())
        try await left.write([42], deadline: Self.deadline())
        #expect(try await first == [42])
        async let second = right.read(maximumCount: 10, deadline: Self.deadline())
        await left.close()
        #expect(try await second == [])
    }

    @Test func aWriterWaitsForTheReaderBeyondTheCapacity() async throws {
        var configuration = InMemoryByteStream.Configuration()
        configuration.capacity = 100
        let (left, right) = InMemoryByteStream.makePair(configuration: configuration)
        let payload = (0..<1_000).map { UInt8(truncatingIfNeeded: $0) }
        // Nobody reads: the write cannot finish and its deadline passes.
        await #expect(throws: NetworkError.timedOut("")) { try await left.write(payload, deadline: .now + .milliseconds(20)) }
        // Drain what got in, then a reader keeps up with a full write.
        let drained = try await right.read(maximumCount: 1_000, deadline: Self.deadline())
        #expect(drained.count == 100)
        async let written: Void = left.write(payload, deadline: Self.deadline())
        var received: [UInt8] = []
        while received.count < payload.count {
            received += try await right.read(maximumCount: 64, deadline: Self.deadline())
        }
        try await written
        #expect(received == payload)
    }

    @Test func aReadWithNothingToReadTimesOutAndCancellationEndsIt() async throws {
        let (left, right) = InMemoryByteStream.makePair()
        await #expect(throws: NetworkError.timedOut("")) { _ = try await right.read(maximumCount: 1, deadline: .now + .milliseconds(10)) }
        let waiting = Task { try await right.read(maximumCount: 1, deadline: Self.deadline()) }
        waiting.cancel()
        await #expect(throws: NetworkError.cancelled("")) { _ = try await waiting.value }
        // The pipe still works afterwards.
        try await left.write([1], deadline: Self.deadline())
        #expect(try await right.read(maximumCount: 1, deadline: Self.deadline()) == [1])
    }
}
