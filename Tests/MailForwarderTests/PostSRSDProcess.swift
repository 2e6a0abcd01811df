import CommunityMailSystem
import CommunityMailTestSupport
import Foundation

/// postsrsd 1.x on two loopback ports (forward, reverse), with its own secret file and pid
/// file in a temporary folder, asked over Postfix's tcp_table protocol (`get KEY` →
/// `200 VALUE` or `500 REASON`, keys and values percent-encoded). Stopped by ``stop()``
/// (and when released).
final class PostSRSDProcess: Sendable {
    /// True when postsrsd is installed.
    static var isAvailable: Bool { TestPeers.executable("postsrsd") != nil }

    let folder: TemporaryDirectory
    let process: ChildProcess
    let forwardPort: UInt16
    let reversePort: UInt16

    /// Starts postsrsd for `domain` with `secrets` (one a line; the first signs).
    init(domain: String, secrets: [String]) async throws {
        guard let executable = TestPeers.executable("postsrsd") else { throw PeerError("postsrsd is not installed") }
        folder = try TemporaryDirectory(prefix: "postsrsd")
        try Data(secrets.map { $0 + "\n" }.joined().utf8).write(to: folder.url.appendingPathComponent("secret"))
        forwardPort = try ChildProcess.freePort()
        reversePort = try ChildProcess.freePort()
        // In the foreground (no -D), so that the child is postsrsd itself and stop() ends it.
        process = try ChildProcess(executable, [
            "-s", folder.path("secret"), "-d", domain, "-l", "127.0.0.1", "-4",
            "-f", String(forwardPort), "-r", String(reversePort), "-p", folder.path("postsrsd.pid"),
        ])
        try await process.waitForTCPPort(forwardPort)
        try await process.waitForTCPPort(reversePort)
    }

    func stop() { process.stop() }

    /// postsrsd's forward of each address: the rewritten address, or nil for a `500`.
    func forward(_ addresses: [String]) async throws -> [String?] { try await ask(forwardPort, addresses) }

    /// postsrsd's reverse of each address: the original, or nil for a `500`.
    func reverse(_ addresses: [String]) async throws -> [String?] { try await ask(reversePort, addresses) }

    private func ask(_ port: UInt16, _ keys: [String]) async throws -> [String?] {
        guard let loopback = InternetAddress("127.0.0.1") else { throw PeerError("127.0.0.1 does not parse") }
        let address = SocketAddress(address: loopback, port: port)
        let connection = try await TCPConnection.connect(to: address, deadline: .now + .seconds(60))
        var answers: [String?] = []
        var buffered: [UInt8] = []
        do {
            for key in keys {
                try await connection.write(Array("get \(Self.percentEncoded(key))\n".utf8), deadline: .now + .seconds(60))
                while !buffered.contains(UInt8(ascii: "\n")) {
                    let chunk = try await connection.read(maximumCount: 4096, deadline: .now + .seconds(60))
                    guard !chunk.isEmpty else { throw PeerError("postsrsd closed the connection: \(process.output)") }
                    buffered += chunk
                }
                let end = buffered.firstIndex(of: UInt8(ascii: "\n"))!
                let line = String(decoding: buffered[..<end], as: UTF8.self)
                buffered.removeSubrange(...end)
                if line.hasPrefix("200 ") {
                    answers.append(Self.percentDecoded(String(line.dropFirst(4))))
                } else if line.hasPrefix("500 ") {
                    answers.append(nil)
                } else {
                    throw PeerError("postsrsd answered \(line)")
                }
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return answers
    }

    /// `text` with `%`, spaces, controls and every non-ASCII byte as `%XX`, as Postfix
    /// sends tcp_table keys.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "%") {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(UnicodeScalar(byte))
            }
        }
        return out
    }

    /// `text` with every `%XX` replaced by its byte.
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let second = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), second < utf8.endIndex,
                let value = UInt8(String(decoding: utf8[first...second], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
