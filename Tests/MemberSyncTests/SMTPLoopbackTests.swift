import Foundation
@testable import MemberSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("SMTPNotifier's loopback check")
struct SMTPLoopbackTests {
    func address(_ text: String) throws -> sockaddr_storage {
        var storage = sockaddr_storage()
        if text.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            try #require(inet_pton(AF_INET6, text, &address.sin6_addr) == 1)
            withUnsafeBytes(of: address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            try #require(inet_pton(AF_INET, text, &address.sin_addr) == 1)
            withUnsafeBytes(of: address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        }
        return storage
    }

    @Test("Plaintext is allowed only to 127.0.0.0/8, ::1 and IPv4-mapped 127.x")
    func classification() throws {
        for loopback in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(RelaySocket.isLoopback(try address(loopback)), "\(loopback)")
            #expect(LoopbackClassifier.system.isLoopback(try address(loopback)), "\(loopback)")
        }
        for remote in ["10.0.0.1", "192.0.2.1", "192.0.2.25", "128.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "::", "0.0.0.0", "::2"] {
            #expect(!RelaySocket.isLoopback(try address(remote)), "\(remote)")
        }
    }
}
