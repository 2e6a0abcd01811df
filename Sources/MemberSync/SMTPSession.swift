import CommunityMailCrypto
import CommunityMailMessage
import Foundation
import HTTPTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking SMTP conversation (RFC 5321) with optional STARTTLS (RFC 3207).
/// Runs on a thread of its own; never on the cooperative pool.
final class SMTPSession {
    private let configuration: SMTPNotifier.Configuration
    private let socket: Int32
    private var tls: TLSClientSession?
    private var buffer: [UInt8] = []
    private var capabilities: Set<String> = []
    /// Whether this conversation uses STARTTLS, decided on the connected address.
    private let usesTLS: Bool

    init(configuration: SMTPNotifier.Configuration, loopbackClassifier: LoopbackClassifier = .system) throws {
        self.configuration = configuration
        self.socket = try Self.connect(host: configuration.host, port: configuration.port, timeout: configuration.timeout)
        let onLoopback = Self.peerAddress(socket).map(loopbackClassifier.isLoopback) ?? false
        switch configuration.tls {
        case .required: usesTLS = true
        case .automatic: usesTLS = !onLoopback
        case .never:
            guard onLoopback else {
                Glibc.close(socket)
                throw SMTPError.insecureConfiguration.with(
                    message: "plaintext SMTP (.never) is only allowed to a relay on loopback; \(configuration.host) is not")
            }
            usesTLS = false
        }
    }

    func close() {
        tls?.close()
        Glibc.close(socket)
    }

    /// Greeting, EHLO, STARTTLS as the policy says, then one transaction and QUIT.
    func deliver(_ message: OutgoingMessage) throws {
        try expect(220, after: nil)
        try hello()
        if usesTLS {
            guard capabilities.contains("STARTTLS") else {
                throw SMTPError.tlsUnavailable.with(
                    message: "\(configuration.host):\(configuration.port) does not offer STARTTLS and TLS is required")
            }
            try expect(220, after: "STARTTLS")
            // Whatever arrived after the 220 came in plaintext, possibly from a man in the
            // middle (RFC 3207 section 4.2): none of it may be read as the TLS session's.
            buffer.removeAll()
            capabilities.removeAll()
            var tlsConfiguration = TLSClientSession.Configuration()
            tlsConfiguration.trustedCertificateAuthorityFile = configuration.trustedCertificateAuthorityFile
            do {
                tls = try TLSClientSession(
                    socket: socket, serverName: configuration.tlsServerName ?? configuration.host,
                    configuration: tlsConfiguration)
            } catch let error as CryptoError {
                throw SMTPError.tlsFailed.with(message: error.message)
            }
            try hello()
        }
        try expect(250, after: "MAIL FROM:<\(message.envelopeSender)>")
        for recipient in message.envelopeRecipients {
            try expect([250, 251], after: "RCPT TO:<\(recipient)>")
        }
        try expect(354, after: "DATA")
        try send(Self.dotStuffed(message.data) + Array(".\r\n".utf8))
        try expect(250, after: nil)
        _ = try? command("QUIT")
    }

    private func hello() throws {
        let reply = try command("EHLO \(configuration.heloName)")
        guard reply.code == 250 else {
            throw SMTPError.protocolError.with(message: "the relay refused EHLO: \(reply.summary)", replyCode: reply.code)
        }
        capabilities = Set(reply.lines.dropFirst().map { $0.split(separator: " ").first.map { $0.uppercased() } ?? "" })
    }

    private struct Reply {
        var code: Int
        var lines: [String]
        /// The code and the enhanced status code (RFC 3463) only: a relay's text often
        /// repeats the address it refused, which must not reach an error message.
        var summary: String {
            let first = lines.last?.split(separator: " ").first.map(String.init) ?? ""
            let isStatus = first.split(separator: ".").count == 3 && first.allSatisfy { $0.isNumber || $0 == "." }
            return isStatus ? "\(code) \(first)" : "\(code)"
        }
    }

    private func expect(_ code: Int, after commandText: String?) throws { try expect([code], after: commandText) }

    private func expect(_ codes: Set<Int>, after commandText: String?) throws {
        let reply = try commandText.map(command) ?? readReply()
        guard codes.contains(reply.code) else {
            let what = commandText.map { $0.split(separator: ":").first.map(String.init) ?? $0 } ?? "the greeting"
            throw SMTPError.rejected.with(message: "the relay answered \(what) with \(reply.summary)", replyCode: reply.code)
        }
    }

    private func command(_ text: String) throws -> Reply {
        try send(Array((text + "\r\n").utf8))
        return try readReply()
    }

    /// More lines than any real reply has (an EHLO reply lists a dozen extensions).
    static let maximumReplyLines = 128

    private func readReply() throws -> Reply {
        var lines: [String] = []
        while true {
            let line = try readLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw SMTPError.protocolError.with(message: "the relay sent a line that is not an SMTP reply")
            }
            lines.append(String(line.dropFirst(4)))
            // A relay, or whoever sits before STARTTLS, could send continuation lines forever.
            guard lines.count <= Self.maximumReplyLines else {
                throw SMTPError.protocolError.with(message: "the relay sent a reply of more than \(Self.maximumReplyLines) lines")
            }
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                return Reply(code: code, lines: lines)
            }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                var lineBytes = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if lineBytes.last == 13 { lineBytes.removeLast() }
                return String(decoding: lineBytes, as: UTF8.self)
            }
            guard buffer.count < 64 * 1024 else { throw SMTPError.protocolError.with(message: "the relay sent an overlong line") }
            let chunk = try receive()
            guard !chunk.isEmpty else { throw SMTPError.protocolError.with(message: "the relay closed the connection") }
            buffer += chunk
        }
    }

    private func receive() throws -> [UInt8] {
        if let tls {
            do { return try tls.read() } catch let error as CryptoError {
                throw SMTPError.protocolError.with(message: error.message)
            }
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = recv(socket, &chunk, chunk.count, 0)
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw SMTPError.timeout.with(message: "no reply from \(configuration.host):\(configuration.port) within \(configuration.timeout)")
            }
            throw SMTPError.protocolError.with(message: "reading from the relay failed: \(String(cString: strerror(errno)))")
        }
        return Array(chunk[0..<count])
    }

    private func send(_ bytes: [UInt8]) throws {
        if let tls {
            do { return try tls.write(bytes) } catch let error as CryptoError {
                throw SMTPError.protocolError.with(message: error.message)
            }
        }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else {
                throw SMTPError.protocolError.with(message: "writing to the relay failed: \(String(cString: strerror(errno)))")
            }
            offset += count
        }
    }

    /// RFC 5321 section 4.5.2: a line that starts with a dot gets a second one.
    static func dotStuffed(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 64)
        var atLineStart = true
        for byte in data {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            atLineStart = byte == 10
        }
        if out.last != 10 { out += [13, 10] }
        return out
    }

    /// The address `socket` is connected to, or nil when it cannot be read.
    static func peerAddress(_ socket: Int32) -> sockaddr_storage? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) }
        }
        return status == 0 ? storage : nil
    }

    /// True for a loopback address (``InternetAddress/isLoopback``): a conversation that
    /// never leaves the machine.
    static func isLoopback(_ storage: sockaddr_storage) -> Bool {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return InternetAddress(bytes: withUnsafeBytes(of: address.sin_addr) { Array($0) }).isLoopback
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            return InternetAddress(bytes: withUnsafeBytes(of: address.sin6_addr) { Array($0) }).isLoopback
        default:
            return false
        }
    }

    private static func connect(host: String, port: UInt16, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw SMTPError.cannotConnect.with(message: "cannot resolve the SMTP relay \(host)")
        }
        defer { freeaddrinfo(results) }
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        if seconds.tv_sec == 0 && seconds.tv_usec == 0 { seconds.tv_usec = 1000 }
        var current: UnsafeMutablePointer<addrinfo>? = first
        var lastError = ECONNREFUSED
        while let info = current {
            let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                Glibc.close(fd)
            }
            current = info.pointee.ai_next
        }
        throw SMTPError.cannotConnect.with(
            message: "cannot connect to the SMTP relay \(host):\(port): \(String(cString: strerror(lastError)))")
    }
}
