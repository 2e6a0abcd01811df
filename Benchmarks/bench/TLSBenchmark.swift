import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Foundation
import Synchronization

/// TLS over loopback TCP: bulk throughput of TLSStream against the same bytes over the
/// bare TCPConnection, and full handshakes (connect, TLS 1.3, close) against bare TCP
/// connects, all in the same run.
enum TLSBenchmark {
    static let transferBytes = 128 * 1_048_576
    static let writeSize = 65_536
    static let connections = 200

    static func run() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        var client = TLSClientConfiguration(serverName: "localhost")
        client.trustedCertificateAuthorityFile = certificates.authority

        let tlsServer = try Sink(context: context)
        let plainServer = try Sink(context: nil)
        defer {
            tlsServer.listener.close()
            plainServer.listener.close()
        }
        print("tls: \(transferBytes / 1_048_576) MiB in \(writeSize / 1024) KiB writes over 127.0.0.1, then \(connections) connections; fastest of 3")

        let payload = [UInt8](repeating: 0x5A, count: writeSize)
        let bulkTLS = try await BenchmarkClock.fastestAsync {
            let connection = try await TCPConnection.connect(to: tlsServer.address, deadline: .now + .seconds(60))
            let tls = try await TLSStream.connect(over: connection, configuration: client, deadline: .now + .seconds(60))
            try await send(payload, over: tls)
            await tls.close()
        }
        let bulkPlain = try await BenchmarkClock.fastestAsync {
            let connection = try await TCPConnection.connect(to: plainServer.address, deadline: .now + .seconds(60))
            try await send(payload, over: connection)
            await connection.close()
        }
        let handshakes = try await BenchmarkClock.fastestAsync {
            for _ in 0..<connections {
                let connection = try await TCPConnection.connect(to: tlsServer.address, deadline: .now + .seconds(60))
                let tls = try await TLSStream.connect(over: connection, configuration: client, deadline: .now + .seconds(60))
                try await tls.write([0], deadline: .now + .seconds(60))
                _ = try await tls.read(maximumCount: 1, deadline: .now + .seconds(60))
                await tls.close()
            }
        }
        let connects = try await BenchmarkClock.fastestAsync {
            for _ in 0..<connections {
                let connection = try await TCPConnection.connect(to: plainServer.address, deadline: .now + .seconds(60))
                try await connection.write([0], deadline: .now + .seconds(60))
                _ = try await connection.read(maximumCount: 1, deadline: .now + .seconds(60))
                await connection.close()
            }
        }
        let megabytes = Double(transferBytes) / 1_048_576
        print(String(format: "  bulk      TLSStream %8.1f MiB/s   bare TCP %8.1f MiB/s   TLS/bare time %.2fx",
                     megabytes / bulkTLS.timeInterval, megabytes / bulkPlain.timeInterval, bulkTLS.timeInterval / bulkPlain.timeInterval))
        print(String(format: "  sessions  TLS 1.3   %8.1f /s       bare TCP %8.1f /s       TLS/bare time %.2fx",
                     Double(connections) / handshakes.timeInterval, Double(connections) / connects.timeInterval,
                     handshakes.timeInterval / connects.timeInterval))
    }

    /// Writes the bulk mode byte and `transferBytes` in `payload`-sized writes, and waits
    /// for the server's one-byte receipt, so the time covers delivery.
    static func send(_ payload: [UInt8], over stream: some ByteStream) async throws {
        try await stream.write([1], deadline: .now + .seconds(60))
        var sent = 0
        while sent < transferBytes {
            try await stream.write(payload, deadline: .now + .seconds(60))
            sent += payload.count
        }
        let receipt = try await stream.read(maximumCount: 1, deadline: .now + .seconds(60))
        guard receipt == [1] else { throw NetworkError.closed("the server did not confirm the transfer") }
    }

    /// A loopback server that reads everything a client sends and confirms with one byte,
    /// over TLS or not.
    final class Sink: Sendable {
        let listener: TCPListener
        let address: SocketAddress

        init(context: TLSServerContext?) throws {
            let listener = try TCPListener(address: try SocketAddress("127.0.0.1:0"))
            self.listener = listener
            self.address = listener.localAddress
            Task {
                try? await listener.serve { connection in
                    do {
                        let stream: any ByteStream = if let context {
                            try await TLSStream.accept(over: connection, context: context, deadline: .now + .seconds(60))
                        } else {
                            connection
                        }
                        // The first byte says what the client measures: 0 a session (answer
                        // at once), 1 a bulk transfer (answer after `transferBytes` more).
                        var mode: UInt8?
                        var received = 0
                        while true {
                            let chunk = try await stream.read(maximumCount: 65_536, deadline: .now + .seconds(60))
                            if chunk.isEmpty { break }
                            if mode == nil { mode = chunk[0] }
                            received += chunk.count
                            if (mode == 0 && received == 1) || (mode == 1 && received == TLSBenchmark.transferBytes + 1) {
                                try await stream.write([1], deadline: .now + .seconds(60))
                            }
                        }
                        await stream.close()
                    } catch {
                        // A client that went away: nothing to measure.
                    }
                }
            }
        }
    }
}
