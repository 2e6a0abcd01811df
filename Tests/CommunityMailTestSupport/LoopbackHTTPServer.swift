public import Foundation
import CommunityMailSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection, one request
/// per connection (`Connection: close`), a handler that computes each response.
///
/// Good enough for loopback peers (Launchpad-shaped JSON, redirects, slow or silent
/// servers); not a production server.
public final class LoopbackHTTPServer: Sendable {
    /// A request as the server received it.
    public struct Request: Sendable {
        /// The method token.
        public var method: String
        /// The request target (path and query), as sent.
        public var target: String
        /// Header fields, names lowercased.
        public var headers: [(name: String, value: String)]
        /// The body.
        public var body: Data

        /// The path part of the target.
        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        /// The query part of the target, without `?`.
        public var query: String {
            let parts = target.split(separator: "?", maxSplits: 1)
            return parts.count == 2 ? String(parts[1]) : ""
        }
        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }
    }

    /// What the server does with a request.
    public enum Reply: Sendable {
        /// Send this status, headers and body.
        case respond(status: Int, headers: [(String, String)], body: Data)
        /// Wait, then send.
        case delayed(Duration, status: Int, headers: [(String, String)], body: Data)
        /// Keep the connection open without answering until the server stops.
        case silence
        /// Close the connection without answering.
        case close
        /// Send a large body generated piece by piece (never held whole), stopping early
        /// when the client hangs up.
        case stream(status: Int, headers: [(String, String)], body: StreamedBody)

        /// A 200 with a body and content type.
        public static func ok(_ body: String, contentType: String = "text/plain") -> Reply {
            .respond(status: 200, headers: [("Content-Type", contentType)], body: Data(body.utf8))
        }
    }

    /// A body of `length` bytes made of `piece` repeated, and how its end is marked.
    public struct StreamedBody: Sendable {
        /// How the receiver learns where the body ends.
        public enum Framing: Sendable {
            /// A `Content-Length` header with the true length.
            case contentLength
            /// `Transfer-Encoding: chunked`, one chunk per piece; any `Content-Length` the
            /// reply's headers add is a lie the receiver must ignore (RFC 9112 section 6.3).
            case chunked
        }

        /// The bytes repeated.
        public var piece: Data
        /// The total number of body bytes sent.
        public var length: Int
        /// How the end is marked.
        public var framing: Framing

        /// `length` bytes of `piece` repeated (64 KiB of `x` by default).
        public init(length: Int, framing: Framing, piece: Data = Data(repeating: UInt8(ascii: "x"), count: 65536)) {
            precondition(!piece.isEmpty)
            self.piece = piece
            self.length = length
            self.framing = framing
        }
    }

    /// The port the server listens on.
    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let stopped = Atomic<Bool>(false)

    /// The base URL, `http://127.0.0.1:<port>`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts listening on an ephemeral loopback port.
    public init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = TestSocket.tcpIPv4()
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            SignalMask.blockAsynchronousSignalsOnThisThread()
            acceptLoop()
        }
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting; open silent connections are closed.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if stopped.load(ordering: .acquiring) { return }
                continue
            }
            let thread = Thread { [self] in
                SignalMask.blockAsynchronousSignalsOnThisThread()
                serve(client)
            }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let request = readRequest(client) else { return }
        switch handler(request) {
        case .respond(let status, let headers, let body):
            write(client, status: status, headers: headers, body: body)
        case .delayed(let delay, let status, let headers, let body):
            Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            write(client, status: status, headers: headers, body: body)
        case .silence:
            while !stopped.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.05) }
        case .close:
            return
        case .stream(let status, let headers, let body):
            stream(client, status: status, headers: headers, body: body)
        }
    }

    private func stream(_ client: Int32, status: Int, headers: [(String, String)], body: StreamedBody) {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        switch body.framing {
        case .contentLength: head += "Content-Length: \(body.length)\r\n"
        case .chunked: head += "Transfer-Encoding: chunked\r\n"
        }
        head += "Connection: close\r\n\r\n"
        guard sendAll(client, Data(head.utf8)) else { return }
        var remaining = body.length
        while remaining > 0, !stopped.load(ordering: .acquiring) {
            let piece = remaining >= body.piece.count ? body.piece : body.piece.prefix(remaining)
            remaining -= piece.count
            switch body.framing {
            case .contentLength:
                guard sendAll(client, piece) else { return }
            case .chunked:
                guard sendAll(client, Data((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Data("\r\n".utf8)) else {
                    return
                }
            }
        }
        if case .chunked = body.framing { _ = sendAll(client, Data("0\r\n\r\n".utf8)) }
    }

    /// Sends every byte; false when the peer hung up.
    private func sendAll(_ client: Int32, _ data: Data) -> Bool {
        var sent = 0
        while sent < data.count {
            let n = data[(data.startIndex + sent)...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    private func readRequest(_ client: Int32) -> Request? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        while headerEnd == nil {
            let n = recv(client, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            headerEnd = Self.find([13, 10, 13, 10], in: buffer)
            if buffer.count > 1 << 20 { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (name: line[..<colon].lowercased(), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(buffer[(headerEnd! + 4)...])
        let expected = Int(headers.first { $0.name == "content-length" }?.value ?? "0") ?? 0
        while body.count < expected {
            let n = recv(client, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            body.append(contentsOf: chunk[0..<n])
        }
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: Data(body))
    }

    private func write(_ client: Int32, status: Int, headers: [(String, String)], body: Data) {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        _ = sendAll(client, Data(head.utf8) + body)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
