import CommunityMailSystem
import Testing

@Suite struct UDPSocketTests {
    @Test(arguments: [InternetAddress.loopbackIPv4, .loopbackIPv6])
    func aDatagramGoesThereAndBackWithItsSource(_ loopback: InternetAddress) async throws {
        let server = try UDPSocket(bindingTo: SocketAddress(address: loopback, port: 0))
        let client = try UDPSocket(bindingTo: SocketAddress(address: loopback, port: 0))
        defer {
            server.close()
            client.close()
        }
        #expect(server.localAddress.port != 0)
        try await client.send(Array("ping".utf8), to: server.localAddress, deadline: .now + generous)
        let question = try await server.receive(deadline: .now + generous)
        #expect(question.bytes == Array("ping".utf8))
        #expect(question.source == client.localAddress)
        try await server.send(Array("pong".utf8), to: question.source, deadline: .now + generous)
        let answer = try await client.receive(maximumCount: 512, deadline: .now + generous)
        #expect(answer == UDPSocket.Datagram(bytes: Array("pong".utf8), source: server.localAddress))
    }

    @Test func aReceiveWithNothingToReceiveEndsAtItsDeadline() async throws {
        let socket = try UDPSocket(bindingTo: SocketAddress(address: .loopbackIPv4, port: 0))
        defer { socket.close() }
        await #expect(throws: NetworkError.timedOut("")) { _ = try await socket.receive(deadline: .now + .milliseconds(50)) }
    }

    @Test func aLongDatagramIsCutToTheSizeAsked() async throws {
        let server = try UDPSocket(bindingTo: SocketAddress(address: .loopbackIPv4, port: 0))
        let client = try UDPSocket(bindingTo: SocketAddress(address: .loopbackIPv4, port: 0))
        defer {
            server.close()
            client.close()
        }
        try await client.send([UInt8](repeating: 7, count: 1000), to: server.localAddress, deadline: .now + generous)
        #expect(try await server.receive(maximumCount: 10, deadline: .now + generous).bytes == [UInt8](repeating: 7, count: 10))
    }
}
