import CommunityMailSystem
import CommunityMailTestSupport
import Synchronization
import Testing

@Suite struct TCPListenerTests {
    /// Holds each served connection until the client closes it.
    @Sendable private static func hold(_ connection: TCPConnection) async {
        _ = try? await readToEnd(connection)
    }

    /// Says why in one SMTP-style line, as a server over its limit would.
    @Sendable private static func refuse(_ connection: TCPConnection, _ reason: TCPListener.Rejection) async {
        let line = reason == .tooManyFromAddress ? "421 too many connections from your address\r\n" : "421 too busy\r\n"
        try? await connection.write(Array(line.utf8), deadline: .now + generous)
    }

    @Test func stopAcceptingRefusesNewClientsAndLetsServedConnectionsFinish() async throws {
        let server = try RunningListener(handler: echo)
        let served = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        try await waitUntil("the listener took the connection") { server.listener.connectionCount >= 1 }
        server.listener.stopAccepting()
        await #expect(throws: NetworkError.self) {
            _ = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        }
        // The served connection still works: close() would have ended it.
        try await served.write(Array("still here".utf8), deadline: .now + generous)
        #expect(try await served.read(maximumCount: 64, deadline: .now + generous) == Array("still here".utf8))
        #expect(server.listener.connectionCount == 1)
        await served.close()
        try await server.task.value  // serve returns once the last handler has
        #expect(server.listener.connectionCount == 0)
        server.listener.stopAccepting()  // twice: harmless
    }

    @Test func aClientOverThePerAddressLimitIsHandedToTheRejectedHandler() async throws {
        var configuration = TCPListener.Configuration()
        configuration.maximumConnectionsPerAddress = 2
        let server = try RunningListener(configuration: configuration, handler: Self.hold, rejected: Self.refuse)
        let first = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        let second = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        while server.listener.connectionCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let third = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        #expect(String(decoding: try await readToEnd(third), as: UTF8.self) == "421 too many connections from your address\r\n")
        #expect(server.listener.connectionCount == 2)

        // A slot frees when a client leaves.
        await first.close()
        while server.listener.connectionCount > 1 { try await Task.sleep(for: .milliseconds(10)) }
        let fourth = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        while server.listener.connectionCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.listener.connectionCount == 2)
        await second.close()
        await third.close()
        await fourth.close()
        try await server.stop()
    }

    @Test func overTheTotalLimitARejectingListenerHandsTheConnectionOver() async throws {
        var configuration = TCPListener.Configuration()
        configuration.maximumConnections = 1
        configuration.whenFull = .reject
        let server = try RunningListener(configuration: configuration, handler: Self.hold, rejected: Self.refuse)
        let first = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        try await waitUntil("the listener took the connection") { server.listener.connectionCount >= 1 }
        let second = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        #expect(String(decoding: try await readToEnd(second), as: UTF8.self) == "421 too busy\r\n")
        await first.close()
        await second.close()
        try await server.stop()
    }

    @Test func atTheLimitAPausingListenerStopsAcceptingUntilASlotFrees() async throws {
        var configuration = TCPListener.Configuration()
        configuration.maximumConnections = 1
        let server = try RunningListener(configuration: configuration, handler: echo)
        let first = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        try await first.write(Array("one".utf8), deadline: .now + generous)
        #expect(try await first.read(maximumCount: 10, deadline: .now + generous) == Array("one".utf8))

        // The kernel completes the second handshake (backlog), but nobody serves it yet.
        let second = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        try await second.write(Array("two".utf8), deadline: .now + generous)
        await #expect(throws: NetworkError.timedOut("")) {
            _ = try await second.read(maximumCount: 10, deadline: .now + .milliseconds(300))
        }
        #expect(server.listener.connectionCount == 1)

        await first.close()
        #expect(try await second.read(maximumCount: 10, deadline: .now + generous) == Array("two".utf8))
        await second.close()
        try await server.stop()
    }

    @Test func anIdleConnectionIsClosedAndItsHandlerToldWhy() async throws {
        var configuration = TCPListener.Configuration()
        configuration.idleTimeout = .milliseconds(200)
        let seen = Mutex<NetworkError?>(nil)
        let server = try RunningListener(configuration: configuration) { connection in
            do throws(NetworkError) {
                _ = try await connection.read(maximumCount: 10, deadline: .now + generous)
            } catch {
                seen.withLock { $0 = error }
            }
        }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        // The server closes the connection: the client reads the end (or a reset).
        do throws(NetworkError) {
            let end = try await client.read(maximumCount: 10, deadline: .now + generous)
            #expect(end == [])
        } catch {
            #expect(error == .connectionReset(""))
        }
        // The handler records the error just after the close the client saw.
        let waitLimit = ContinuousClock.now + generous
        while seen.withLock({ $0 }) == nil, ContinuousClock.now < waitLimit { try await Task.sleep(for: .milliseconds(10)) }
        #expect(seen.withLock { $0 } == .timedOut(""))
        #expect(seen.withLock { $0?.description.contains("idle") } == true)
        await client.close()
        try await server.stop()
    }

    @Test func closingTheListenerEndsServeAndEveryConnection() async throws {
        let server = try RunningListener(handler: Self.hold)
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        try await waitUntil("the listener took the connection") { server.listener.connectionCount >= 1 }
        try await server.stop()
        #expect(server.listener.connectionCount == 0)
        #expect(try await client.read(maximumCount: 10, deadline: .now + generous) == [])
        await client.close()
        await #expect(throws: NetworkError.connectionRefused("")) {
            _ = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        }
    }

    @Test func cancellingServeClosesTheListener() async throws {
        let listener = try TCPListener(address: SocketAddress(address: .loopbackIPv4, port: 0))
        let serving = Task { try await listener.serve(Self.hold) }
        let client = try await TCPConnection.connect(to: listener.localAddress, deadline: .now + generous)
        while listener.connectionCount < 1 { try await Task.sleep(for: .milliseconds(10)) }
        serving.cancel()
        try await serving.value
        #expect(try await client.read(maximumCount: 10, deadline: .now + generous) == [])
        await client.close()
    }

    @Test func bindingAnAddressInUseIsATypedError() throws {
        let first = try TCPListener(address: SocketAddress(address: .loopbackIPv4, port: 0))
        defer { first.close() }
        #expect(throws: NetworkError.addressInUse("")) { try TCPListener(address: first.localAddress) }
    }
}
