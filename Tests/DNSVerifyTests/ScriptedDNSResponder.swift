import CommunityMailTestSupport
import DNSVerify
import Foundation
import CommunityMailSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback DNS responder for transport tests: a UDP socket (and optionally a TCP
/// listener on the same port) whose replies a script decides, including wrong ids, wrong
/// source ports, wrong questions, garbage and silence.
final class ScriptedDNSResponder: Sendable {
    /// What to send back for one UDP query.
    enum Action: Sendable {
        /// Send these bytes from the responder's port.
        case send([UInt8])
        /// Send these bytes from another port (a spoofing attempt).
        case sendFromOtherPort([UInt8])
    }

    /// The port, UDP and TCP.
    let port: UInt16
    /// The address the responder listens on.
    let address: DNSAddress
    private let udp: Int32
    private let tcp: Int32?
    private let other: Int32
    private let stopped = Atomic<Bool>(false)
    private let received = Mutex<[(query: DNSMessage, sourcePort: UInt16)]>([])

    /// The server address to give a resolver.
    var nameserver: DNSNameserver { DNSNameserver(address: address, port: port) }

    /// Queries received over UDP so far, with the port they came from.
    var queries: [(query: DNSMessage, sourcePort: UInt16)] { received.withLock { $0 } }

    /// Starts a responder on 127.0.0.1 (or ::1). `udpScript` answers UDP queries;
    /// `tcpScript`, when given, answers over TCP on the same port (nil reply closes).
    init(ipv6: Bool = false, udpScript: @escaping @Sendable (DNSMessage) -> [Action],
         tcpScript: (@Sendable (DNSMessage) -> [UInt8]?)? = nil) throws {
        address = ipv6 ? .loopbackIPv6 : .loopbackIPv4
        let family = ipv6 ? AF_INET6 : AF_INET
        var chosen: (udp: Int32, tcp: Int32?, port: UInt16)?
        for _ in 0..<20 where chosen == nil {
            let udp = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
            guard udp >= 0, let port = Self.bind(udp, family: family, port: 0) else { throw PeerError("cannot bind UDP") }
            guard tcpScript != nil else {
                chosen = (udp, nil, port)
                break
            }
            let tcp = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            var yes: Int32 = 1
            setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            if Self.bind(tcp, family: family, port: port) != nil, listen(tcp, 16) == 0 {
                chosen = (udp, tcp, port)
            } else {
                close(udp)
                close(tcp)
            }
        }
        guard let chosen else { throw PeerError("cannot find a port free for both UDP and TCP") }
        udp = chosen.udp
        tcp = chosen.tcp
        port = chosen.port
        other = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard other >= 0, Self.bind(other, family: family, port: 0) != nil else { throw PeerError("cannot bind the spoofing socket") }
        Thread { [self] in
            SignalMask.blockAsynchronousSignalsOnThisThread()
            serveUDP(udpScript)
        }.start()
        if let tcp, let tcpScript { Thread { [self] in
                SignalMask.blockAsynchronousSignalsOnThisThread()
                serveTCP(tcp, tcpScript)
            }.start() }
    }

    deinit { stop() }

    /// Stops answering and closes the sockets.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // The serving threads notice within one poll slice and close their sockets.
    }

    private func serveUDP(_ script: @Sendable (DNSMessage) -> [Action]) {
        defer {
            close(udp)
            close(other)
        }
        var buffer = [UInt8](repeating: 0, count: 65_535)
        while !stopped.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: udp, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            var source = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &source) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(udp, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0, let query = try? DNSMessage(decoding: Array(buffer[0..<count])) else { continue }
            let sourcePort = withUnsafeBytes(of: source) { raw -> UInt16 in
                UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
            }
            received.withLock { $0.append((query, sourcePort)) }
            for action in script(query) {
                let (fd, bytes): (Int32, [UInt8])
                switch action {
                case .send(let data): (fd, bytes) = (udp, data)
                case .sendFromOtherPort(let data): (fd, bytes) = (other, data)
                }
                _ = withUnsafePointer(to: &source) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, length) }
                }
                usleep(2_000)
            }
        }
    }

    private func serveTCP(_ listener: Int32, _ script: @Sendable (DNSMessage) -> [UInt8]?) {
        defer { close(listener) }
        while !stopped.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            defer { close(client) }
            guard let length = readExactly(client, 2) else { continue }
            guard let body = readExactly(client, Int(length[0]) << 8 | Int(length[1])),
                  let query = try? DNSMessage(decoding: body), let reply = script(query)
            else { continue }
            let frame = [UInt8(reply.count >> 8), UInt8(reply.count & 0xFF)] + reply
            _ = send(client, frame, frame.count, Int32(MSG_NOSIGNAL))
        }
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(count, 1))
        while bytes.count < count {
            let n = recv(fd, &chunk, count - bytes.count, 0)
            guard n > 0 else { return nil }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    private static func bind(_ fd: Int32, family: Int32, port: UInt16) -> UInt16? {
        var storage = sockaddr_storage()
        var length: socklen_t
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = in6addr_loopback
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        }
        let bound = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { return nil }
        return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }
}

extension DNSMessage {
    /// A reply to `self` (same id and question) with `answers` and response code `code`.
    func reply(answers: [DNSRecord] = [], code: DNSResponseCode = .noError, truncated: Bool = false) -> DNSMessage {
        var header = DNSHeader(id: header.id, isResponse: true, isAuthoritative: true, isTruncated: truncated,
                               recursionDesired: header.recursionDesired, responseCode: UInt8(code.rawValue & 0x0F))
        header.recursionAvailable = true
        return DNSMessage(header: header, questions: questions, answers: answers)
    }

    /// The wire form, or an empty array (tests then fail on the missing reply).
    var bytes: [UInt8] { (try? encoded()) ?? [] }
}
