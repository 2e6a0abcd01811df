import CommunityMailCrypto
import CommunityMailSMTP
import CommunityMailSystem
import Foundation
import HTTPTransport
import Synchronization

#if canImport(Glibc)
import Glibc

private let systemClose = Glibc.close
private let systemSend = Glibc.send
private let systemSocket = Glibc.socket
private let systemConnect = Glibc.connect
#elseif canImport(Darwin)
import Darwin

private let systemClose = Darwin.close
private let systemSend = Darwin.send
private let systemSocket = Darwin.socket
private let systemConnect = Darwin.connect
#endif

/// A blocking TCP socket to the relay, with libssl over it after STARTTLS, offered as a
/// `ByteStream` for ``SMTPClient``. Every call runs on ``BlockingExecutor``, with the
/// deadline turned into socket timeouts.
///
/// Transitional: it goes when CommunityMailSystem's `TCPConnection` and CommunityMailTLS's
/// `TLSStream` land (issue #14); until then it is the last socket and TLS code in
/// MemberSync.
final class RelaySocket: ByteStream {
    private let socket: Int32
    /// The TLS session after ``startTLS(serverName:trustedCertificateAuthorityFile:)``, and
    /// whether the socket was closed. The lock is held across a blocking call: the SMTP
    /// client reads and writes one at a time, on the executor's threads.
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var tls: TLSClientSession?
        var isClosed = false
    }

    private init(socket: Int32) {
        self.socket = socket
        state = Mutex(State())
    }

    deinit {
        state.withLock { state in
            if !state.isClosed { _ = systemClose(socket) }
        }
    }

    /// Resolves `host` and connects to the first address that answers.
    static func connect(host: String, port: UInt16, timeout: Duration) async throws(SMTPError) -> RelaySocket {
        try await BlockingExecutor.shared.run { () throws(SMTPError) -> RelaySocket in
            RelaySocket(socket: try openSocket(host: host, port: port, timeout: timeout))
        }
    }

    /// The address the socket is connected to, or nil when it cannot be read.
    var peerAddress: sockaddr_storage? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) }
        }
        return status == 0 ? storage : nil
    }

    /// Runs the TLS handshake on the socket; reads and writes are encrypted afterwards.
    func startTLS(serverName: String, trustedCertificateAuthorityFile: String?, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await BlockingExecutor.shared.run { [self] () throws(NetworkError) in
            try setTimeouts(until: deadline)
            var configuration = TLSClientSession.Configuration()
            configuration.trustedCertificateAuthorityFile = trustedCertificateAuthorityFile
            try state.withLock { state throws(NetworkError) in
                do {
                    state.tls = try TLSClientSession(socket: socket, serverName: serverName, configuration: configuration)
                } catch let error as CryptoError {
                    throw NetworkError.certificateRejected(error.message)
                } catch {
                    throw NetworkError.tlsHandshake("the TLS handshake failed")
                }
            }
        }
    }

    func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        try await BlockingExecutor.shared.run { [self] () throws(NetworkError) -> [UInt8] in
            try setTimeouts(until: deadline)
            return try state.withLock { state throws(NetworkError) -> [UInt8] in
                guard !state.isClosed else { throw NetworkError.closed("read after close") }
                if let tls = state.tls {
                    do { return try tls.read(maximum: maximumCount) } catch {
                        throw NetworkError.tlsFailure("reading from the relay over TLS failed")
                    }
                }
                var chunk = [UInt8](repeating: 0, count: maximumCount)
                let count = recv(socket, &chunk, chunk.count, 0)
                guard count >= 0 else {
                    if errno == EAGAIN || errno == EWOULDBLOCK { throw NetworkError.timedOut("recv from the relay") }
                    throw NetworkError.system("recv from the relay", errno: errno)
                }
                return Array(chunk[0..<count])
            }
        }
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await BlockingExecutor.shared.run { [self] () throws(NetworkError) in
            try setTimeouts(until: deadline)
            try state.withLock { state throws(NetworkError) in
                guard !state.isClosed else { throw NetworkError.closed("write after close") }
                if let tls = state.tls {
                    do { return try tls.write(bytes) } catch { throw NetworkError.tlsFailure("writing to the relay over TLS failed") }
                }
                var offset = 0
                while offset < bytes.count {
                    let count = bytes[offset...].withUnsafeBytes { systemSend(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard count > 0 else {
                        if errno == EAGAIN || errno == EWOULDBLOCK { throw NetworkError.timedOut("send to the relay") }
                        throw NetworkError.system("send to the relay", errno: errno)
                    }
                    offset += count
                }
            }
        }
    }

    func close() async {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.tls?.close()
            state.tls = nil
            state.isClosed = true
            _ = systemClose(socket)
        }
    }

    /// The receive and send timeouts of the socket: the time left until `deadline`.
    private func setTimeouts(until deadline: ContinuousClock.Instant) throws(NetworkError) {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { throw NetworkError.timedOut("the deadline passed") }
        var value = timeval(tv_sec: Int(left.components.seconds), tv_usec: Int(left.components.attoseconds / 1_000_000_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1000 }
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
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

    private static func openSocket(host: String, port: UInt16, timeout: Duration) throws(SMTPError) -> Int32 {
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
            let fd = systemSocket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                // Linux bounds a blocking connect by the send timeout.
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
                if systemConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                _ = systemClose(fd)
            }
            current = info.pointee.ai_next
        }
        throw SMTPError.cannotConnect.with(
            message: "cannot connect to the SMTP relay \(host):\(port): \(String(cString: strerror(lastError)))")
    }
}
