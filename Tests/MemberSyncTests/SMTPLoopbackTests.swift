import CommunityMailSystem
@testable import MemberSync
import Testing

@Suite("SMTPNotifier's loopback check")
struct SMTPLoopbackTests {
    @Test("Plaintext is allowed only to 127.0.0.0/8, ::1 and IPv4-mapped 127.x")
    func classification() throws {
        for loopback in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(LoopbackClassifier.system.isLoopback(try #require(InternetAddress(loopback))), "\(loopback)")
        }
        for remote in ["10.0.0.1", "192.0.2.1", "192.0.2.25", "128.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "::", "0.0.0.0", "::2"] {
            #expect(!LoopbackClassifier.system.isLoopback(try #require(InternetAddress(remote))), "\(remote)")
        }
    }
}
