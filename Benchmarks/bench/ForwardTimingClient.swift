import CommunityMailSystem
import Foundation

/// One SMTP client that sends messages one after another over one connection while the
/// load runs, timing each from the write of its final dot to the reply (the time a
/// forwarder without a queue spends relaying; a queueing MTA spends it on its queue file).
enum TimingClient {
    /// Sends until `stop` is set; returns the measured durations. Only complete, accepted
    /// messages count.
    static func run(port: UInt16, size: Int, until stop: StopFlag) async throws -> [Duration] {
        let connection = try await TCPConnection.connect(to: try SocketAddress("127.0.0.1:\(port)"), deadline: .now + .seconds(60))
        var reader = ReplyReader(connection: connection)
        var durations: [Duration] = []
        do {
            try await reader.expect(220)
            try await send("EHLO timing.bench.test", over: connection)
            try await reader.expect(250)
            let message = content(size: size)
            while !stop.isSet {
                try await send("MAIL FROM:<\(ForwardBenchmark.sender)>", over: connection)
                try await reader.expect(250)
                try await send("RCPT TO:<\(ForwardBenchmark.recipient)>", over: connection)
                try await reader.expect(250)
                try await send("DATA", over: connection)
                try await reader.expect(354)
                try await connection.write(message, deadline: .now + .seconds(60))
                let start = ContinuousClock.now
                try await connection.write(Array(".\r\n".utf8), deadline: .now + .seconds(60))
                try await reader.expect(250)
                durations.append(ContinuousClock.now - start)
            }
            try await send("QUIT", over: connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return durations
    }

    /// A message of about `size` octets: a few header fields and 76-character lines.
    static func content(size: Int) -> [UInt8] {
        var text = "From: <\(ForwardBenchmark.sender)>\r\nTo: <\(ForwardBenchmark.recipient)>\r\nSubject: timing\r\n\r\n"
        let line = String(repeating: "0123456789abcdef", count: 5).prefix(76) + "\r\n"
        while text.utf8.count + line.utf8.count <= size { text += line }
        return Array(text.utf8)
    }

    private static func send(_ command: String, over connection: TCPConnection) async throws {
        try await connection.write(Array((command + "\r\n").utf8), deadline: .now + .seconds(60))
    }

    /// Reads whole replies (the last line has a space after the code).
    struct ReplyReader {
        let connection: TCPConnection
        var buffer: [UInt8] = []

        mutating func expect(_ code: Int) async throws {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    guard line.count >= 4 else { throw BenchmarkFailure("a malformed reply: \(line)") }
                    if line.dropFirst(3).first == "-" { continue }
                    guard line.hasPrefix(String(code)) else { throw BenchmarkFailure("expected \(code), got \(line)") }
                    return
                }
                let bytes = try await connection.read(maximumCount: 4096, deadline: .now + .seconds(120))
                guard !bytes.isEmpty else { throw BenchmarkFailure("the server closed the connection") }
                buffer += bytes
            }
        }
    }

    /// p50 and p99 of a set of durations, in milliseconds.
    struct Percentiles {
        let samples: Int
        let p50: String
        let p99: String

        init(_ durations: [Duration]) {
            let sorted = durations.sorted()
            samples = sorted.count
            func percentile(_ fraction: Double) -> String {
                guard !sorted.isEmpty else { return "n/a" }
                let rank = Int((Double(sorted.count) * fraction).rounded(.up)) - 1
                return "\(format(sorted[min(sorted.count - 1, max(0, rank))].seconds * 1000, 2)) ms"
            }
            p50 = percentile(0.50)
            p99 = percentile(0.99)
        }
    }
}
