import CommunityMailCrypto
import CommunityMailTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The host name checks of the TLS client, against `openssl s_server` on loopback with
/// certificates made by `openssl req`.
@Suite("TLSClientSession checks the server's name", .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
struct TLSClientSessionTests {
    @Test("An empty server name is refused by the session itself, before any handshake")
    func emptyServerName() throws {
        // No socket is touched: -1 would fail any handshake with another error.
        #expect(throws: CryptoError.tlsHandshake) { _ = try TLSClientSession(socket: -1, serverName: "") }
    }

    @Test("A partial wildcard (f*.example.org) names nothing; a whole-label wildcard (*.example.org) names foo.example.org")
    func partialWildcard() async throws {
        #expect(try await handshake(certificateName: "*.example.org", serverName: "foo.example.org"))
        #expect(try await !handshake(certificateName: "f*.example.org", serverName: "foo.example.org"))
    }

    /// Whether a verified handshake for `serverName` succeeds against a self-signed
    /// certificate for `certificateName`, trusted as its own authority.
    func handshake(certificateName: String, serverName: String) async throws -> Bool {
        let folder = try TemporaryDirectory(prefix: "tls-client")
        let cert = folder.path("cert.pem"), key = folder.path("key.pem")
        let openssl = try #require(TestPeers.executable("openssl"))
        let make = try ChildProcess(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=test", "-addext", "subjectAltName=DNS:\(certificateName)", "-addext", "basicConstraints=critical,CA:TRUE",
        ])
        guard await make.exited() == 0 else { throw PeerError("openssl req failed:\n\(make.output)") }
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(openssl, ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-quiet"])
        defer { server.stop() }
        try await server.waitForTCPPort(port)
        return try await BlockingWork.run {
            let socket = try Self.connect(port: port)
            defer { close(socket) }
            var configuration = TLSClientSession.Configuration()
            configuration.trustedCertificateAuthorityFile = cert
            do {
                let session = try TLSClientSession(socket: socket, serverName: serverName, configuration: configuration)
                session.close()
                return true
            } catch let error as CryptoError where error == .tlsHandshake {
                return false
            }
        }
    }

    static func connect(port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PeerError("socket failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(socket)
            throw PeerError("cannot connect to 127.0.0.1:\(port)")
        }
        return socket
    }
}
