import CommunityMailSystem
import Foundation
import HTTPTransport
import OpenIDAuth

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-person HTTP server on 127.0.0.1 for `openid-login serve`: `/` starts the sign-in,
/// `/return` receives the provider's answer (GET or form POST). It serves one connection at
/// a time and stops after the first provider answer that carries this sign-in's token.
///
/// Login CSRF: the relying party's return_to carries `signInToken`, a random value made for
/// this run, which only the browser sent to the provider from `/` learns. An answer at
/// `/return` without it (a page that makes the browser load `/return`, or an attacker's own
/// assertion) is refused with 403 and the server keeps waiting. A malformed request is
/// answered 400 (413 when its body is too large) and never ends the server.
struct CallbackServer {
    let port: UInt16
    /// The random token in the return_to query (`signin=`).
    let signInToken: String

    /// The largest request body read (a provider's form POST is a few KiB).
    static let maximumBodySize = 1 << 20

    /// A fresh random token (128 bits, hex).
    static func makeSignInToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    func run(relyingParty: OpenIDRelyingParty, provider: String, options: OpenIDAuthenticationOptions) async -> Int32 {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { fail("cannot create a socket") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { fail("cannot listen on 127.0.0.1:\(port)") }
        defer { close(listener) }
        FileHandle.standardError.write(Data("open http://127.0.0.1:\(port)/ in your browser\n".utf8))

        while true {
            // accept, recv and send block: they run on a thread of their own, never on
            // Swift's cooperative pool; a client gets 10 seconds to send its request.
            let (connection, outcome) = await Self.onExecutor { () -> (Int32, ReadOutcome) in
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return (connection, .closed) }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return (connection, Self.read(connection))
            }
            guard connection >= 0 else { continue }
            let reply: Reply
            switch outcome {
            case .closed:
                close(connection)
                continue
            case .refused(let status):
                reply = Reply(status: status, headers: ["Content-Type": "text/plain"], body: "bad request\n")
            case .request(let request):
                reply = await respond(to: request, relyingParty: relyingParty, provider: provider, options: options)
            }
            await Self.onExecutor {
                Self.write(connection, status: reply.status, headers: reply.headers, body: reply.body)
                close(connection)
            }
            if let exitStatus = reply.exitStatus { return exitStatus }
        }
    }

    /// What to answer, and the exit status when the sign-in is over.
    private struct Reply: Sendable {
        var status: String
        var headers: [String: String]
        var body: String
        var exitStatus: Int32?
    }

    private func respond(
        to request: Request, relyingParty: OpenIDRelyingParty, provider: String, options: OpenIDAuthenticationOptions
    ) async -> Reply {
        guard let target = Self.url(forTarget: request.target, port: port) else {
            return Reply(status: "400 Bad Request", headers: ["Content-Type": "text/plain"], body: "bad request target\n")
        }
        switch target.path {
        case "/":
            do {
                let begin = try await relyingParty.begin(identifier: provider, options: options)
                if begin.prefersFormPost {
                    return Reply(status: "200 OK", headers: ["Content-Type": "text/html; charset=utf-8"], body: begin.formHTML)
                }
                return Reply(status: "302 Found", headers: ["Location": begin.redirectURL.absoluteString], body: "")
            } catch {
                return Reply(status: "502 Bad Gateway", headers: ["Content-Type": "text/plain"], body: "\(error.message)\n")
            }
        case "/return":
            let postBody = request.method == "POST" ? request.body : nil
            // Only a provider's answer (openid.mode in the query or the form) ends the sign-in.
            let fields = FormURLEncoding.decode(postBody ?? URLComponents(url: target, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? "")
            guard fields.contains(where: { $0.0 == "openid.mode" }) else {
                return Reply(status: "400 Bad Request", headers: ["Content-Type": "text/plain"], body: "not an OpenID answer\n")
            }
            // The token is in the callback URL's query (return_to's), for GET and POST alike.
            let query = FormURLEncoding.decode(URLComponents(url: target, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? "")
            let token = query.first(where: { $0.0 == "signin" })?.1 ?? ""
            guard Self.constantTimeEquals(token, signInToken) else {
                FileHandle.standardError.write(Data("refused an answer at /return without this sign-in's token\n".utf8))
                return Reply(status: "403 Forbidden", headers: ["Content-Type": "text/plain"], body: "this answer is not for this sign-in\n")
            }
            let assertion = await finish(relyingParty, callback: target, postBody: postBody)
            // Plain text, never sniffed as HTML: the identifier and the JSON are the provider's text.
            let text = assertion.map { "Signed in as \($0.claimedIdentifier). You can close this window.\n\n" + json($0) }
                ?? "Sign-in failed; see the terminal."
            return Reply(
                status: "200 OK", headers: ["Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"],
                body: text + "\n", exitStatus: assertion == nil ? 1 : 0)
        default:
            return Reply(status: "404 Not Found", headers: ["Content-Type": "text/plain"], body: "not found\n")
        }
    }

    /// `body`'s result, computed on the shared `BlockingExecutor` while the calling task is
    /// suspended (accept and read block).
    private static func onExecutor<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await BlockingExecutor.shared.run { () -> T in body() }
    }

    /// The URL a request target names on this server, or nil. Only origin-form targets
    /// (`/path?query`) are accepted: the scheme, host and port are ours, never the request's,
    /// so `@evil.example/return` or `//evil.example/return` cannot change the host.
    static func url(forTarget target: String, port: UInt16) -> URL? {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=:@/?".utf8)
        guard target.hasPrefix("/"), !target.hasPrefix("//"), target.utf8.allSatisfy(allowed.contains),
              let url = URL(string: "http://127.0.0.1:\(port)" + target),
              url.host == "127.0.0.1", url.port == Int(port), url.user == nil
        else { return nil }
        return url
    }

    private struct Request: Sendable {
        var method: String
        var target: String
        var body: String
    }

    private enum ReadOutcome: Sendable {
        case request(Request)
        /// Malformed or too large: answer with this status line.
        case refused(String)
        /// The client went away or sent nothing in time.
        case closed
    }

    /// Reads one request (head up to 64 KiB, body by Content-Length up to
    /// ``maximumBodySize``). Content-Length must be one non-negative decimal number.
    private static func read(_ connection: Int32) -> ReadOutcome {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        var headEnd: Int?
        var expected = 0
        while true {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return .closed }
            data += buffer[0..<count]
            if headEnd == nil, let range = findHeadEnd(data) {
                headEnd = range
                let head = String(decoding: data[0..<range], as: UTF8.self)
                let lengths = head.split(separator: "\r\n").dropFirst().compactMap { line -> Substring? in
                    guard let colon = line.firstIndex(of: ":"),
                          line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "content-length"
                    else { return nil }
                    return line[line.index(after: colon)...]
                }
                if let length = lengths.first {
                    switch contentLength(length) {
                    case .some(let value) where lengths.allSatisfy({ contentLength($0) == value }):
                        guard value <= maximumBodySize else { return .refused("413 Content Too Large") }
                        expected = value
                    default: return .refused("400 Bad Request")
                    }
                }
            }
            if let headEnd, data.count >= headEnd + 4 + expected { break }
            if headEnd == nil, data.count > 65_536 { return .refused("431 Request Header Fields Too Large") }
        }
        guard let headEnd else { return .closed }
        let requestLine = String(decoding: data[0..<headEnd], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2 else { return .refused("400 Bad Request") }
        let body = String(decoding: data[(headEnd + 4)..<(headEnd + 4 + expected)], as: UTF8.self)
        return .request(Request(method: String(parts[0]), target: String(parts[1]), body: body))
    }

    /// A Content-Length value: 1 to 19 ASCII digits, surrounding blanks allowed; nil otherwise
    /// (empty, signed, or too long to be a size).
    private static func contentLength(_ text: Substring) -> Int? {
        let digits = text.trimmingCharacters(in: .whitespaces)
        guard (1...19).contains(digits.utf8.count), digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(digits)
    }

    /// Equal strings, compared without an early exit.
    private static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func findHeadEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func write(_ connection: Int32, status: String, headers: [String: String], body: String) {
        var text = "HTTP/1.1 \(status)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBufferPointer { send(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            sent += count
        }
    }
}
