import CommunityMailSystem
import Foundation

/// A bare POP3 client over a loopback TCP connection, for hostile input: sends any
/// bytes and reads reply lines. Its deadlines only bound a hang.
final class POP3LineClient: Sendable {
    let connection: TCPConnection
    private let pending = PendingBytes()

    init(port: UInt16) async throws {
        connection = try await TCPConnection.connect(to: SocketAddress(address: .loopbackIPv4, port: port), deadline: .now + .seconds(60))
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async throws { try await connection.write(bytes, deadline: .now + .seconds(120)) }

    /// The next line without CRLF, or nil when the server closed the connection.
    func readLine() async throws -> String? {
        while true {
            if let line = pending.takeLine() { return line }
            let bytes = try await connection.read(maximumCount: 65_536, deadline: .now + .seconds(120))
            if bytes.isEmpty { return nil }
            pending.append(bytes)
        }
    }

    /// Status lines until one matches `done`, or the connection ends; every line read.
    func readLines(count: Int) async throws -> [String] {
        var lines: [String] = []
        while lines.count < count, let line = try await readLine() { lines.append(line) }
        return lines
    }

    /// Reads until the server closes; the lines read.
    func readToEnd() async throws -> [String] {
        var lines: [String] = []
        while let line = try await readLine() { lines.append(line) }
        return lines
    }

    func close() async { await connection.close() }
}

/// Bytes read but not yet returned as lines.
private final class PendingBytes: @unchecked Sendable {
    // @unchecked: used by one reader at a time (POP3LineClient's caller).
    private var buffer: [UInt8] = []

    func append(_ bytes: [UInt8]) { buffer += bytes }

    func takeLine() -> String? {
        guard let newline = buffer.firstIndex(of: 10) else { return nil }
        var line = Array(buffer[..<newline])
        if line.last == 13 { line.removeLast() }
        buffer.removeFirst(newline + 1)
        return String(decoding: line, as: UTF8.self)
    }
}
