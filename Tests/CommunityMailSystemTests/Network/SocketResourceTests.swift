@testable import CommunityMailSystem
import CommunityMailTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a socket holds on to: its descriptor's flags (a fork+exec must not inherit it, and
/// no call may block), and the memory of what a read returns.
@Suite struct SocketResourceTests {
    /// Close-on-exec and non-blocking, as `fcntl` reads them.
    private static func flags(of socket: SocketDescriptor) throws -> (closeOnExec: Bool, nonBlocking: Bool) {
        try socket.use { descriptor in
            (fcntl(descriptor, F_GETFD) & FD_CLOEXEC != 0, fcntl(descriptor, F_GETFL) & O_NONBLOCK != 0)
        }
    }

    @Test("Accepted, connected and UDP sockets are close-on-exec and non-blocking")
    func descriptorFlags() async throws {
        let accepted = Mutex<(closeOnExec: Bool, nonBlocking: Bool)?>(nil)
        let server = try RunningListener { connection in
            let flags = try? Self.flags(of: connection.socket)
            accepted.withLock { $0 = flags }
            _ = try? await connection.read(maximumCount: 1, deadline: .now + generous)
        }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        try await waitUntil("the server accepted") { accepted.withLock { $0 != nil } }
        let serverSide = try #require(accepted.withLock { $0 })
        #expect(serverSide.closeOnExec && serverSide.nonBlocking)
        let clientSide = try Self.flags(of: client.socket)
        #expect(clientSide.closeOnExec && clientSide.nonBlocking)
        let listening = try Self.flags(of: server.listener.socket)
        #expect(listening.closeOnExec && listening.nonBlocking)
        await client.close()
        try await server.stop()

        let udp = try UDPSocket(bindingTo: SocketAddress(address: .loopbackIPv4, port: 0))
        defer { udp.close() }
        let datagram = try Self.flags(of: udp.socket)
        #expect(datagram.closeOnExec && datagram.nonBlocking)
    }

    @Test("A small TCP read returns an array the size of what arrived, not of the most a read may take")
    func tcpReadHoldsOnlyWhatArrived() async throws {
        let server = try RunningListener { connection in
            try? await connection.write(Array("hello".utf8), deadline: .now + generous)
            _ = try? await connection.read(maximumCount: 1, deadline: .now + generous)
        }
        let client = try await TCPConnection.connect(to: server.address, deadline: .now + generous)
        var received: [UInt8] = []
        var largestCapacity = 0
        while received.count < 5 {
            let chunk = try await client.read(maximumCount: 65_536, deadline: .now + generous)
            try #require(!chunk.isEmpty)
            largestCapacity = max(largestCapacity, chunk.capacity)
            received += chunk
        }
        #expect(received == Array("hello".utf8))
        #expect(largestCapacity < 1024, "a 5-byte read kept \(largestCapacity) bytes of capacity")
        await client.close()
        try await server.stop()
    }

    @Test("A small datagram is returned in an array of its size")
    func udpReceiveHoldsOnlyTheDatagram() async throws {
        let receiver = try UDPSocket(bindingTo: SocketAddress(address: .loopbackIPv4, port: 0))
        let sender = try UDPSocket(bindingTo: SocketAddress(address: .loopbackIPv4, port: 0))
        defer {
            receiver.close()
            sender.close()
        }
        try await sender.send(Array("ping".utf8), to: receiver.localAddress, deadline: .now + generous)
        let datagram = try await receiver.receive(deadline: .now + generous)
        #expect(datagram.bytes == Array("ping".utf8))
        #expect(datagram.bytes.capacity < 1024, "a 4-byte datagram kept \(datagram.bytes.capacity) bytes of capacity")
    }

    @Test("A read buffer keeps a mostly full read as it is and copies a short one to its size")
    func readBufferSizing() {
        let full = ReadBuffer.receive(upTo: 65_536) { buffer in
            for index in 0..<60_000 { buffer[index] = UInt8(truncatingIfNeeded: index) }
            return 60_000
        }
        #expect(full.count == 60_000)
        #expect(full.elementsEqual((0..<60_000).lazy.map { UInt8(truncatingIfNeeded: $0) }))
        let short = ReadBuffer.receive(upTo: 65_536) { buffer in
            for index in 0..<100 { buffer[index] = 7 }
            return 100
        }
        #expect(short == [UInt8](repeating: 7, count: 100))
        #expect(short.capacity < 1024)
        #expect(ReadBuffer.receive(upTo: 65_536) { _ in -1 } == [])
        #expect(ReadBuffer.receive(upTo: 65_536) { _ in 0 } == [])
    }
}
