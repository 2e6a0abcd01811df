import CommunityMailSystem
import Testing

@Suite struct SocketAddressTests {
    @Test func parsesIPv4AndBracketedIPv6WithPorts() throws {
        let v4 = try SocketAddress("127.0.0.1:2525")
        #expect(v4.address == .loopbackIPv4)
        #expect(v4.port == 2525)
        #expect(v4.description == "127.0.0.1:2525")
        let v6 = try SocketAddress("[::1]:2525")
        #expect(v6.address == .loopbackIPv6)
        #expect(v6.port == 2525)
        #expect(v6.description == "[::1]:2525")
        #expect(try SocketAddress("[2001:db8::1]:0").port == 0)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+25", "::1:25", "[::1]", "[::1]25",
        "[127.0.0.1]:25", "localhost:25", "127.1:25", "[::1:25", "", ":25", "1.2.3.4:２５",
    ])
    func refusesAnythingElseWithATypedError(_ text: String) {
        #expect(throws: NetworkError.invalidAddress("")) { try SocketAddress(text) }
    }

    @Test func internetAddressesReadOnlyTheUsualTextForm() {
        #expect(InternetAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(InternetAddress("::ffff:127.0.0.1")?.isLoopback == true)
        #expect(InternetAddress("127.1") == nil)
        #expect(InternetAddress("example.org") == nil)
        #expect(InternetAddress("2001:db8::1")?.description == "2001:db8::1")
        #expect(InternetAddress.anyIPv6.isIPv6)
    }
}
