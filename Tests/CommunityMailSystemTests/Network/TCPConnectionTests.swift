import CommunityMailSystem
import CommunityMailTestSupport
import Synchronization
import Testing

/// A listener serving in a task of its own, stopped by the test.
struct RunningListener: Sendable {
    let listener: TCPListener
    let task: Task<Void, any Error>

    init(
        configuration: TCPListener.Configuration = TCPListener.Configuration(),
        address: SocketAddress = SocketAddress(address: .loopbackIPv4, port: 0),
        handler: @escaping @Sendable (TCPConnection) async -> Void,
        rejected: @escaping @Sendable (TCPConnection, TCPListener.Rejection) async -> Void = { _, _ in }
    ) throws {
        let listener = try TCPListener(address: address, configuration: configuration)
        self.listener = listener
        task = Task { try await listener.serve(handler, rejected: rejected) }
    }

    var address: SocketAddress { listener.localAddress }

    func stop() async throws {
        listener.close()
        try await task.value
    }
}

/// Far enough that only a broken implementation reaches it.
let generous = Duration.seconds(60)

/// Reads until the peer closes its side.
func readToEnd(_ connection: TCPConnection) async throws -> [UInt8] {
    var received: [UInt8] = []
    while true {
        let chunk = try await connection.read(maximumCount: 4096, deadline: .now + generous)
        if chunk.isEmpty { return received }
        received += chunk
    }
}

/// Echoes what it reads until the client closes its side.
@Sendable func echo(_ connection: TCPConnection) async {
    while let chunk = try? await connection.read(maximumCount: 4096, deadline: .now + generous), !chunk.isEmpty {
        guard (try? await connection.write(chunk, deadline: .now + generous)) != nil else { return }
    }
}

@Suite struct TCPConnectionTests {
    @Test(arguments: [SocketAddress(address: .loopbackIPv4, port: 0), SocketAddress(address: .loopbackIPv6, port: 0)])
    func echoesOverLoopbackWithAHalfClose(_ bind: SocketAddress) async throws {
        let server = try RunningListener(address: bind, handler: echo)
        #expect(server.address.port != 0)
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        #expect(client.remoteAddress == server.address)
        #expect(client.localAddress.address == bind.address)
        #expect(client.localAddress.port != 0)
        let message = Array("hello over loopback\r\n".utf8) + [UInt8](repeating: 0x2E, count: 200_000)
        try await client.write(message, deadline: .now + generous)
        client.shutdownWrite()
        // The server saw the end of the stream, echoed everything and closed: the
        // half-closed client still reads it all.
        #expect(try await readToEnd(client) == message)
        await client.close()
        try await server.stop()
    }

    @Test func connectingWhereNothingListensIsRefusedAndTransient() async throws {
        let listener = try TCPListener(address: SocketAddress(address: .loopbackIPv4, port: 0))
        let address = listener.localAddress
        listener.close()
        do {
            _ = try await TCPConnection.connect(to: address, deadline: .now + generous)
            Issue.record("connected to a closed port")
        } catch {
            #expect(error == .connectionRefused(""))
            #expect(error.isTransient)
            #expect(error.description.contains("127.0.0.1"))
        }
    }

    @Test func aConnectThatGetsNoAnswerEndsAtItsDeadline() async throws {
        // A listener that never accepts, with a full backlog, drops further SYNs: the next
        // handshake cannot finish.
        var configuration = TCPListener.Configuration()
        configuration.backlog = 1
        let silent = try TCPListener(address: SocketAddress(address: .loopbackIPv4, port: 0), configuration: configuration)
        defer { silent.close() }
        var held: [TCPConnection] = []
        var timedOut: NetworkError?
        for _ in 0..<16 {
            do {
                held.append(try await TCPConnection.connect(to: silent.localAddress, deadline: .now + .milliseconds(300)))
            } catch {
                timedOut = error
                break
            }
        }
        #expect(timedOut == .timedOut(""))
        #expect(timedOut?.isTransient == true)
        for connection in held { await connection.close() }
    }

    @Test func aReadWithNothingToReadEndsAtItsDeadline() async throws {
        let server = try RunningListener { connection in _ = try? await readToEnd(connection) }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        let start = ContinuousClock.now
        await #expect(throws: NetworkError.timedOut("")) {
            _ = try await client.read(maximumCount: 10, deadline: .now + .milliseconds(100))
        }
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        await client.close()
        try await server.stop()
    }

    @Test func thePeerClosingIsAnEmptyRead() async throws {
        let server = try RunningListener { connection in await connection.close() }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        #expect(try await client.read(maximumCount: 10, deadline: .now + generous) == [])
        await client.close()
        await #expect(throws: NetworkError.closed("")) { _ = try await client.read(maximumCount: 10, deadline: .now + generous) }
        try await server.stop()
    }

    @Test func cancellingAWaitingReadThrowsCancelled() async throws {
        let server = try RunningListener { connection in _ = try? await readToEnd(connection) }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        let reader = Task { () throws(NetworkError) -> [UInt8] in try await client.read(maximumCount: 10, deadline: .now + generous) }
        try await waitUntil("a wait is registered") { SocketPoller.shared.waitingCount > 0 }
        reader.cancel()
        await #expect(throws: NetworkError.cancelled("")) { _ = try await reader.value }
        await client.close()
        try await server.stop()
    }

    @Test func closingWakesAReadWaitingOnTheSameConnection() async throws {
        let server = try RunningListener { connection in _ = try? await readToEnd(connection) }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        let reader = Task { () throws(NetworkError) -> [UInt8] in try await client.read(maximumCount: 10, deadline: .now + generous) }
        try await Task.sleep(for: .milliseconds(50))
        await client.close()
        await #expect(throws: NetworkError.closed("")) { _ = try await reader.value }
        try await server.stop()
    }

    @Test func twoHundredConnectionsAtOnceShareThePoller() async throws {
        var configuration = TCPListener.Configuration()
        configuration.maximumConnectionsPerAddress = 400
        configuration.backlog = 256
        let server = try RunningListener(configuration: configuration, handler: echo)
        let address = server.address
        let echoed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let client = try await TCPConnection.connect(to: address, deadline: .now + generous)
                    let message = Array("connection \(index)".utf8)
                    try await client.write(message, deadline: .now + generous)
                    client.shutdownWrite()
                    let answer = try await readToEnd(client)
                    await client.close()
                    return answer == message
                }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(echoed == 200)
        try await server.stop()
        #expect(server.listener.connectionCount == 0)
    }
}
