import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One query to one server over UDP or TCP, on blocking-free sockets driven by `poll()`
/// on a thread of its own (so the cooperative pool never blocks).
enum DNSSocketTransport {
    /// How long one `poll()` waits at most, so that cancellation is noticed quickly.
    private static let pollSlice = 50

    /// Sends `query` over UDP from a fresh socket on a kernel-chosen random port and
    /// waits until `deadline` for a reply that comes from `server`'s address and port,
    /// carries the query's id, and repeats its question (RFC 5452). Anything else is
    /// ignored and waiting goes on. A matching id from the server that cannot be decoded
    /// is remembered and reported if nothing better arrives.
    static func udp(_ query: DNSMessage, to server: DNSNameserver, deadline: ContinuousClock.Instant,
                    cancellation: CancellationFlag) -> DNSExchange {
        let bytes: [UInt8]
        do { bytes = try query.encoded() } catch { return .failure(.malformedResponse, "cannot encode the query: \(error.message)") }
        let target = SocketAddress(server)
        let fd = socket(target.family, socketType(SOCK_DGRAM), 0)
        guard fd >= 0 else { return .failure(.networkFailure, "socket(): \(errnoText())") }
        defer { close(fd) }
        let local = SocketAddress.any(family: target.family)
        guard local.withSockaddr({ bind(fd, $0, $1) }) == 0 else { return .failure(.networkFailure, "bind(): \(errnoText())") }
        let sent = target.withSockaddr { address, length in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, address, length) }
        }
        guard sent == bytes.count else { return .failure(.networkFailure, "sendto \(server): \(errnoText())") }

        var buffer = [UInt8](repeating: 0, count: 65_535)
        var undecodable: DNSError?
        while true {
            let timedOut: () -> DNSExchange = {
                if let undecodable { return .failure(.malformedResponse, "\(server) sent a reply that cannot be decoded: \(undecodable.message)") }
                return .failure(.timeout, "\(server) did not answer in time")
            }
            if let failure = wait(fd, events: Int16(POLLIN), deadline: deadline, cancellation: cancellation, timedOut: timedOut) {
                return failure
            }
            while true {
                var source = SocketAddress.any(family: target.family)
                let count = buffer.withUnsafeMutableBytes { raw in
                    source.withMutableSockaddr { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, $1) }
                }
                if count < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { break }
                    // An ICMP error reported on the socket: the server is unreachable.
                    if errno == ECONNREFUSED { return .failure(.networkFailure, "\(server) refused the connection (port unreachable)") }
                    return .failure(.networkFailure, "recvfrom(): \(errnoText())")
                }
                guard source == target, count >= 12 else { continue }
                let reply = Array(buffer[0..<count])
                guard UInt16(reply[0]) << 8 | UInt16(reply[1]) == query.header.id, reply[2] & 0x80 != 0 else { continue }
                let message: DNSMessage
                do {
                    message = try DNSMessage(decoding: reply)
                } catch {
                    undecodable = error
                    continue
                }
                guard answers(message, query) else { continue }
                return .response(message)
            }
        }
    }

    /// Sends `query` over TCP with the 2-byte length prefix (RFC 1035 section 4.2.2) and
    /// reads one framed reply.
    static func tcp(_ query: DNSMessage, to server: DNSNameserver, deadline: ContinuousClock.Instant,
                    cancellation: CancellationFlag) -> DNSExchange {
        let bytes: [UInt8]
        do { bytes = try query.encoded() } catch { return .failure(.malformedResponse, "cannot encode the query: \(error.message)") }
        let target = SocketAddress(server)
        let fd = socket(target.family, socketType(SOCK_STREAM), 0)
        guard fd >= 0 else { return .failure(.networkFailure, "socket(): \(errnoText())") }
        defer { close(fd) }
        if target.withSockaddr({ connect(fd, $0, $1) }) != 0 {
            guard errno == EINPROGRESS else { return .failure(.networkFailure, "connect to \(server) over TCP: \(errnoText())") }
            if let failure = wait(fd, events: Int16(POLLOUT), deadline: deadline, cancellation: cancellation, timedOut: {
                .failure(.timeout, "\(server) did not accept a TCP connection in time")
            }) {
                return failure
            }
            var status: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length)
            guard status == 0 else {
                return .failure(.networkFailure, "connect to \(server) over TCP: \(String(cString: strerror(status)))")
            }
        }
        let frame = [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
        var sent = 0
        while sent < frame.count {
            let count = frame[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
                continue
            }
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                return .failure(.networkFailure, "send to \(server) over TCP: \(errnoText())")
            }
            if let failure = wait(fd, events: Int16(POLLOUT), deadline: deadline, cancellation: cancellation, timedOut: {
                .failure(.timeout, "\(server) did not take the query over TCP in time")
            }) {
                return failure
            }
        }
        var received: [UInt8] = []
        var expected = 2
        var chunk = [UInt8](repeating: 0, count: 65_537)
        while received.count < expected {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, expected - received.count), 0) }
            if count > 0 {
                received.append(contentsOf: chunk[0..<count])
                if expected == 2, received.count == 2 {
                    expected = 2 + (Int(received[0]) << 8 | Int(received[1]))
                    guard expected > 2 + 11 else { return .failure(.malformedResponse, "\(server) sent a TCP frame too short for a header") }
                }
                continue
            }
            if count == 0 { return .failure(.networkFailure, "\(server) closed the TCP connection before a full reply") }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                return .failure(.networkFailure, "recv from \(server) over TCP: \(errnoText())")
            }
            if let failure = wait(fd, events: Int16(POLLIN), deadline: deadline, cancellation: cancellation, timedOut: {
                .failure(.timeout, "\(server) did not answer over TCP in time")
            }) {
                return failure
            }
        }
        let message: DNSMessage
        do {
            message = try DNSMessage(decoding: Array(received[2...]))
        } catch {
            return .failure(.malformedResponse, "\(server) sent a TCP reply that cannot be decoded: \(error.message)")
        }
        guard message.header.id == query.header.id, answers(message, query) else {
            return .failure(.malformedResponse, "\(server) sent a TCP reply that does not answer the query")
        }
        return .response(message)
    }

    /// True when `reply` answers `query`: a response with the same opcode that repeats
    /// the question (case-insensitively). Error replies without a question section are
    /// accepted, as old servers send FORMERR that way.
    static func answers(_ reply: DNSMessage, _ query: DNSMessage) -> Bool {
        guard reply.header.isResponse, reply.header.opcode == query.header.opcode else { return false }
        if reply.questions.isEmpty {
            return [.formatError, .serverFailure, .notImplemented, .refused].contains(reply.responseCode)
        }
        return reply.questions == query.questions
    }

    /// Waits until `fd` is ready for `events`: nil then, otherwise the exchange's failure
    /// (`timedOut()` at the deadline; cancellation and poll errors alike for every wait).
    private static func wait(
        _ fd: Int32, events: Int16, deadline: ContinuousClock.Instant, cancellation: CancellationFlag,
        timedOut: () -> DNSExchange
    ) -> DNSExchange? {
        while true {
            if cancellation.isCancelled { return .failure(.timeout, "the lookup was cancelled") }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return timedOut() }
            let milliseconds = Int(remaining.components.seconds) * 1000 + Int(remaining.components.attoseconds / 1_000_000_000_000_000)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, min(milliseconds, pollSlice))))
            if ready > 0 { return nil }
            if ready < 0, errno != EINTR { return .failure(.networkFailure, "poll(): \(errnoText())") }
        }
    }

    private static func socketType(_ type: __socket_type) -> Int32 {
        Int32(type.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
