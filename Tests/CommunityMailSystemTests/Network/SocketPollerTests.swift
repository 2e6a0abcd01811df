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

/// Many waits on few descriptors: one pollfd per descriptor, each wait ended by the event
/// it asked for.
@Suite struct SocketPollerMergedWaitsTests {
    /// A connected, non-blocking pair of local stream sockets, closed by the test.
    private struct SocketPair {
        let waited: Int32
        let peer: Int32

        init() throws {
            var ends: [Int32] = [-1, -1]
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
            (waited, peer) = (ends[0], ends[1])
        }

        /// Writes from `waited` until its send buffer is full: it is then not writable.
        func fillWaited() {
            var chunk = [UInt8](repeating: 0x2E, count: 65_536)
            while write(waited, &chunk, chunk.count) > 0 {}
        }

        func drainPeer() {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while read(peer, &chunk, chunk.count) > 0 {}
        }

        func close() {
            closeDescriptor(waited)
            closeDescriptor(peer)
        }
    }

    @Test("Read and write waits on one socket share one pollfd; readability ends only the read waits")
    func readAndWriteWaitsOnOneSocket() async throws {
        let poller = SocketPoller()
        let pair = try SocketPair()
        defer { pair.close() }
        pair.fillWaited()
        let readers = (0..<3).map { _ in Task { try await poller.waitReadable(pair.waited, deadline: .now + .seconds(300)) } }
        let writers = (0..<3).map { _ in Task { try await poller.waitWritable(pair.waited, deadline: .now + .seconds(300)) } }
        try await waitUntil("six waits are registered") { poller.waitingCount == 6 }
        #expect(poller.polledDescriptorCount == 1)
        var byte: UInt8 = 1
        #expect(write(pair.peer, &byte, 1) == 1)
        for reader in readers { try await reader.value }
        // Readability is not writability: the write waits are still there.
        #expect(poller.waitingCount == 3)
        #expect(poller.polledDescriptorCount == 1)
        pair.drainPeer()
        for writer in writers { try await writer.value }
        #expect(poller.waitingCount == 0)
        #expect(poller.polledDescriptorCount == 0)
    }

    @Test("Hundreds of waits on one descriptor are one pollfd and all end when it is readable")
    func manyWaitsOnOneDescriptor() async throws {
        let poller = SocketPoller()
        let pair = try SocketPair()
        defer { pair.close() }
        let waits = (0..<500).map { _ in Task { try await poller.waitReadable(pair.waited, deadline: .now + .seconds(300)) } }
        try await waitUntil("500 waits are registered") { poller.waitingCount == 500 }
        #expect(poller.polledDescriptorCount == 1)
        var byte: UInt8 = 1
        #expect(write(pair.peer, &byte, 1) == 1)
        for wait in waits { try await wait.value }
        #expect(poller.waitingCount == 0)
    }

    @Test("A cancelled wait leaves the other waits on its descriptor registered")
    func cancellingOneOfSeveralWaits() async throws {
        let poller = SocketPoller()
        let pair = try SocketPair()
        defer { pair.close() }
        let cancelled = Task { try await poller.waitReadable(pair.waited, deadline: .now + .seconds(300)) }
        let kept = Task { try await poller.waitReadable(pair.waited, deadline: .now + .seconds(300)) }
        try await waitUntil("two waits are registered") { poller.waitingCount == 2 }
        cancelled.cancel()
        await #expect(throws: NetworkError.cancelled("")) { try await cancelled.value }
        #expect(poller.waitingCount == 1)
        #expect(poller.polledDescriptorCount == 1)
        var byte: UInt8 = 1
        #expect(write(pair.peer, &byte, 1) == 1)
        try await kept.value
    }

    /// The descriptor limit is per process: `poller-limits` lowers its own and reports.
    @Test("Under a lowered RLIMIT_NOFILE: 96 waits on 24 sockets work at a limit of 64, and poll()'s EINVAL ends waits as limitReached")
    func descriptorLimitInAChildProcess() async throws {
        let binary = try #require(TestPeers.builtExecutable("poller-limits"), "build the poller-limits tool first (swift build)")
        let (status, output) = try await ChildProcess.run(binary, [])
        #expect(status == 0, "\(output)")
        #expect(output.contains("merged waits"), "\(output)")
        #expect(output.contains("poll() failure"), "\(output)")
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
