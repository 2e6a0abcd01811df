import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Synchronization
import Testing

/// A stream that forwards to another and counts the writes in progress, so a test can see
/// that a TLS write is inside the underlying stream (waiting for a peer that does not read).
final class ObservedStream: ByteStream {
    private let inner: any ByteStream
    private let inFlight = Mutex(0)

    init(_ inner: any ByteStream) {
        self.inner = inner
    }

    /// Writes handed to the inner stream that have not returned.
    var writesInFlight: Int { inFlight.withLock { $0 } }

    func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        try await inner.read(maximumCount: maximumCount, deadline: deadline)
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        inFlight.withLock { $0 += 1 }
        defer { inFlight.withLock { $0 -= 1 } }
        try await inner.write(bytes, deadline: deadline)
    }

    func close() async {
        await inner.close()
    }
}

/// `close()` does not wait for a write stuck behind a peer that does not read, and what a
/// read returns holds only what was read.
@Suite(
    "TLSStream closing and reading", .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)),
    .timeLimit(.minutes(10)))
struct TLSStreamClosingTests {
    /// Longer than the test could take with a working close: a close that waited for the
    /// write would let this pass, and the write (or read) would then end with `timedOut`
    /// (reported as such, not as `closed`), failing the test; the suite's time limit ends a
    /// close that never returns.
    static func writeDeadline() -> ContinuousClock.Instant { .now + .seconds(300) }

    /// Our client (over `observed`, wrapping `clientEnd`) and server (over `serverEnd`).
    static func connect(
        clientEnd: any ByteStream, serverEnd: any ByteStream
    ) async throws -> (client: TLSStream, server: TLSStream, observed: ObservedStream) {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let observed = ObservedStream(clientEnd)
        async let server = TLSStream.accept(over: serverEnd, context: context, deadline: TLSStreamTests.deadline())
        let client = try await TLSStream.connect(
            over: observed, configuration: TLSStreamTests.configuration("localhost", trusting: certificates),
            deadline: TLSStreamTests.deadline())
        return (client, try await server, observed)
    }

    /// Starts a write far larger than the peer's buffer (the peer never reads) and a read
    /// the peer never answers, waits until the write is inside the underlying stream, and
    /// closes the client: both must end with `closed`.
    static func closeWithBlockedWriterAndReader(_ client: TLSStream, _ observed: ObservedStream) async throws {
        let bigWrite = [UInt8](repeating: 0x41, count: 64 << 20)
        let writer = Task { await TLSStreamTests.capture { try await client.write(bigWrite, deadline: writeDeadline()) } }
        let reader = Task { await TLSStreamTests.capture { try await client.read(maximumCount: 100, deadline: writeDeadline()) } }
        try await waitUntil("the write waits for the peer") { observed.writesInFlight == 1 }
        await client.close()
        let written = await writer.value
        #expect(throws: NetworkError.closed("")) { try written.get() }
        let read = await reader.value
        #expect(throws: NetworkError.closed("")) { try read.get() }
        await #expect(throws: NetworkError.closed("")) { try await client.write([1], deadline: writeDeadline()) }
    }

    @Test("close() ends a write blocked by a peer that does not read (in memory) with closed, and a waiting read too")
    func closeDuringABlockedWriteInMemory() async throws {
        var pipe = InMemoryByteStream.Configuration()
        pipe.capacity = 16_384
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair(configuration: pipe)
        let (client, server, observed) = try await Self.connect(clientEnd: clientEnd, serverEnd: serverEnd)
        try await Self.closeWithBlockedWriterAndReader(client, observed)
        await server.close()
    }

    @Test("close() ends a write blocked by a loopback peer that does not read with closed")
    func closeDuringABlockedWriteOverTCP() async throws {
        let listener = try TCPListener(address: SocketAddress(address: .loopbackIPv4, port: 0))
        let accepted = AcceptedConnection()
        let serving = Task {
            try await listener.serve { connection in
                accepted.set(connection)
                // Holds the connection, reading nothing, until the listener closes it.
                await accepted.waitForRelease()
            }
        }
        let connection = try await TCPConnection.connect(to: listener.localAddress, deadline: TLSStreamTests.deadline())
        try await waitUntil("the server accepted") { accepted.connection != nil }
        let serverEnd = try #require(accepted.connection)
        let (client, server, observed) = try await Self.connect(clientEnd: connection, serverEnd: serverEnd)
        try await Self.closeWithBlockedWriterAndReader(client, observed)
        accepted.release()
        await server.close()
        listener.close()
        try await serving.value
    }

    @Test("A small TLS read returns an array of its size, not of the 64 KiB a read may take")
    func smallReadHoldsOnlyWhatWasRead() async throws {
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        let (client, server, _) = try await Self.connect(clientEnd: clientEnd, serverEnd: serverEnd)
        try await server.write(Array("250 ok\r\n".utf8), deadline: TLSStreamTests.deadline())
        let line = try await client.read(maximumCount: 65_536, deadline: TLSStreamTests.deadline())
        #expect(line == Array("250 ok\r\n".utf8))
        #expect(line.capacity < 1024, "an 8-byte read kept \(line.capacity) bytes of capacity")
        await client.close()
        await server.close()
    }
}

/// The connection a test server accepted, held until the test releases it.
final class AcceptedConnection: Sendable {
    private let state = Mutex<(connection: TCPConnection?, released: Bool, waiter: CheckedContinuation<Void, Never>?)>((nil, false, nil))

    var connection: TCPConnection? { state.withLock { $0.connection } }

    func set(_ connection: TCPConnection) {
        state.withLock { $0.connection = connection }
    }

    func waitForRelease() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let releasedAlready = state.withLock { state -> Bool in
                if state.released { return true }
                state.waiter = continuation
                return false
            }
            if releasedAlready { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
