import Foundation
import OpenIDAuth

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-person HTTP server on 127.0.0.1 for `openid-login serve`: `/` starts the sign-in,
/// `/return` receives the provider's answer (GET or form POST). It serves one connection at
/// a time and stops after the first answer.
struct CallbackServer {
    let port: UInt16

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
            let (connection, request) = await Self.onOwnThread { () -> (Int32, Request?) in
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return (connection, nil) }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return (connection, Self.read(connection))
            }
            guard connection >= 0 else { continue }
            guard let request else {
                close(connection)
                continue
            }
            let reply = await respond(to: request, relyingParty: relyingParty, provider: provider, options: options)
            await Self.onOwnThread {
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
            let assertion = await finish(relyingParty, callback: target, postBody: request.method == "POST" ? request.body : nil)
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

    /// `body`'s result, computed on a new thread while the calling task is suspended.
    private static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
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

    /// Reads one request (head up to 64 KiB, body by Content-Length up to 1 MiB).
    private static func read(_ connection: Int32) -> Request? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        var headEnd: Int?
        var expected = 0
        while true {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data += buffer[0..<count]
            if headEnd == nil, let range = findHeadEnd(data) {
                headEnd = range
                let head = String(decoding: data[0..<range], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    expected = min(Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0, 1 << 20)
                }
            }
            if let headEnd, data.count >= headEnd + 4 + expected { break }
            if headEnd == nil, data.count > 65_536 { return nil }
        }
        guard let headEnd else { return nil }
        let requestLine = String(decoding: data[0..<headEnd], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        let body = String(decoding: data[(headEnd + 4)..<(headEnd + 4 + expected)], as: UTF8.self)
        return Request(method: String(parts[0]), target: String(parts[1]), body: body)
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
