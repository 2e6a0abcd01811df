import CommunityMailSystem

/// One query to one server over UDP or TCP, on the system layer's non-blocking sockets:
/// waiting for a reply parks the task on the one socket poller, so no thread exists per
/// question and the cooperative pool never blocks.
enum DNSSocketTransport {
    /// Sends `query` over UDP from a fresh socket on a kernel-chosen random port and
    /// waits until `deadline` for a reply that comes from `server`'s address and port,
    /// carries the query's id, and repeats its question (RFC 5452). Anything else is
    /// ignored and waiting goes on. A matching id from the server that cannot be decoded
    /// is remembered and reported if nothing better arrives.
    static func udp(_ query: DNSMessage, to server: DNSNameserver, deadline: ContinuousClock.Instant) async -> DNSExchange {
        let bytes: [UInt8]
        do { bytes = try query.encoded() } catch { return .failure(.malformedResponse, "cannot encode the query: \(error.message)") }
        let target = server.socketAddress
        let socket: UDPSocket
        do {
            socket = try UDPSocket(bindingTo: .unspecified(like: target))
        } catch {
            return .failure(.networkFailure, "cannot open a UDP socket: \(error.message)")
        }
        defer { socket.close() }
        do {
            try await socket.send(bytes, to: target, deadline: deadline)
        } catch {
            return failure(error, server: server, sending: true)
        }
        var undecodable: DNSError?
        while true {
            let datagram: UDPSocket.Datagram
            do {
                datagram = try await socket.receive(maximumCount: 65_535, deadline: deadline)
            } catch {
                if error == .timedOut(""), let undecodable {
                    return .failure(.malformedResponse, "\(server) sent a reply that cannot be decoded: \(undecodable.message)")
                }
                return failure(error, server: server, sending: false)
            }
            let reply = datagram.bytes
            guard datagram.source == target, reply.count >= 12 else { continue }
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

    /// Sends `query` over TCP with the 2-byte length prefix (RFC 1035 section 4.2.2) and
    /// reads one framed reply.
    static func tcp(_ query: DNSMessage, to server: DNSNameserver, deadline: ContinuousClock.Instant) async -> DNSExchange {
        let bytes: [UInt8]
        do { bytes = try query.encoded() } catch { return .failure(.malformedResponse, "cannot encode the query: \(error.message)") }
        let connection: TCPConnection
        do {
            connection = try await TCPConnection.connect(to: server.socketAddress, deadline: deadline)
        } catch {
            if error == .timedOut("") { return .failure(.timeout, "\(server) did not accept a TCP connection in time") }
            return failure(error, server: server, sending: true)
        }
        let outcome = await exchange(query, bytes, over: connection, server: server, deadline: deadline)
        await connection.close()
        return outcome
    }

    private static func exchange(
        _ query: DNSMessage, _ bytes: [UInt8], over connection: TCPConnection, server: DNSNameserver, deadline: ContinuousClock.Instant
    ) async -> DNSExchange {
        var received: [UInt8] = []
        do {
            try await connection.write([UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes, deadline: deadline)
            var expected = 2
            while received.count < expected {
                let chunk = try await connection.read(maximumCount: expected - received.count, deadline: deadline)
                guard !chunk.isEmpty else {
                    return .failure(.networkFailure, "\(server) closed the TCP connection before a full reply")
                }
                received += chunk
                if expected == 2, received.count == 2 {
                    expected = 2 + (Int(received[0]) << 8 | Int(received[1]))
                    guard expected > 2 + 11 else { return .failure(.malformedResponse, "\(server) sent a TCP frame too short for a header") }
                }
            }
        } catch {
            if error == .timedOut("") { return .failure(.timeout, "\(server) did not answer over TCP in time") }
            return failure(error, server: server, sending: false)
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

    /// The exchange's failure for a socket error: timeouts and cancellation end the wait
    /// (`timeout`), anything else is a network failure.
    private static func failure(_ error: NetworkError, server: DNSNameserver, sending: Bool) -> DNSExchange {
        if error == .cancelled("") { return .failure(.timeout, "the lookup was cancelled") }
        if error == .timedOut("") { return .failure(.timeout, "\(server) did not answer in time") }
        if error == .connectionRefused("") { return .failure(.networkFailure, "\(server) refused the connection (port unreachable)") }
        return .failure(.networkFailure, "\(sending ? "send to" : "receive from") \(server): \(error.message)")
    }
}

extension DNSNameserver {
    /// The server's address and port as the system layer's sockets take them.
    var socketAddress: SocketAddress {
        SocketAddress(address: InternetAddress(bytes: address.bytes), port: port)
    }
}
