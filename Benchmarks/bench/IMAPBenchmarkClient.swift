import CommunityMailSystem
import Foundation

/// A bare IMAP client for `bench imap`: sends one command at a time over plain TCP and
/// reads up to its tagged reply, skipping literals by their announced size (so message
/// bytes never pass for a tagged line) and counting the bytes received.
struct IMAPBenchmarkClient {
    let connection: TCPConnection
    private var buffer: [UInt8] = []
    private var start = 0
    private var tagNumber = 0

    /// The reply of one command.
    struct Reply {
        /// The tagged line.
        var tagged: String
        /// Untagged lines up to 64 KiB (literals left out).
        var lines: [String]
        /// Every byte received for the command, literals included.
        var bytes: Int
        /// The bytes of the literals alone (the messages' bytes for FETCH BODY[]).
        var literalBytes: Int
    }

    /// Connects to 127.0.0.1:`port` and reads the greeting.
    static func connect(port: UInt16) async throws -> IMAPBenchmarkClient {
        let connection = try await TCPConnection.connect(to: try SocketAddress("127.0.0.1:\(port)"), deadline: .now + .seconds(60))
        var client = IMAPBenchmarkClient(connection: connection)
        _ = try await client.readLine() as (String, Int, Int)
        return client
    }

    /// Sends `command` with a fresh tag; throws unless the reply is OK.
    mutating func run(_ command: String) async throws -> Reply {
        tagNumber += 1
        let tag = "B\(tagNumber)"
        try await connection.write(Array("\(tag) \(command)\r\n".utf8), deadline: .now + .seconds(300))
        var reply = Reply(tagged: "", lines: [], bytes: 0, literalBytes: 0)
        while true {
            let (line, count, literalCount) = try await readLine()
            reply.bytes += count
            reply.literalBytes += literalCount
            if line.hasPrefix(tag + " ") {
                reply.tagged = line
                guard line.dropFirst(tag.count + 1).hasPrefix("OK") else {
                    throw BenchmarkFailure("`\(command.prefix(40))` was refused: \(line.prefix(200))")
                }
                return reply
            }
            if line.utf8.count <= 65_536 { reply.lines.append(line) }
        }
    }

    /// Logs out and closes.
    mutating func close() async {
        _ = try? await run("LOGOUT")
        await connection.close()
    }

    /// One response line (its literals skipped and counted): the text, the bytes it took,
    /// the bytes of its literals.
    private mutating func readLine() async throws -> (String, Int, Int) {
        var text: [UInt8] = []
        var count = 0, literalCount = 0
        while true {
            guard let end = try await lineEnd() else { throw BenchmarkFailure("the server closed the connection") }
            let line = buffer[start..<end]
            count += end + 2 - start
            start = end + 2
            text += line
            // A literal `{n}` at the line's end: skip its n bytes, the line goes on after it.
            guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")),
                let size = Int(String(decoding: buffer[(open + 1)..<(end - 1)], as: UTF8.self))
            else { return (String(decoding: text, as: UTF8.self), count, literalCount) }
            try await skip(size)
            count += size
            literalCount += size
        }
    }

    /// The index of the next CRLF at or after `start`, reading more as needed.
    private mutating func lineEnd() async throws -> Int? {
        var scanned = 0  // bytes after `start` known to hold no CRLF start
        while true {
            var index = start + scanned
            while index + 1 < buffer.count {
                if buffer[index] == 13, buffer[index + 1] == 10 { return index }
                index += 1
            }
            scanned = max(0, buffer.count - 1 - start)
            guard try await fill() else { return nil }
        }
    }

    private mutating func skip(_ size: Int) async throws {
        var remaining = size
        while remaining > 0 {
            if start == buffer.count, !(try await fill()) { throw BenchmarkFailure("the server closed the connection in a literal") }
            let taken = min(remaining, buffer.count - start)
            start += taken
            remaining -= taken
        }
    }

    /// Reads more bytes (dropping what was consumed); false at the connection's end.
    private mutating func fill() async throws -> Bool {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let bytes = try await connection.read(maximumCount: 256 * 1024, deadline: .now + .seconds(300))
        buffer += bytes
        return !bytes.isEmpty
    }
}
