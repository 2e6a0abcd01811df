import CommunityMailSystem
import MailAccess
import Testing

/// Per-address limits count an IPv6 client by its /64 (one host routinely holds a whole
/// /64, RFC 8981 temporary addresses) and an IPv4-mapped IPv6 address as its IPv4
/// address: the failed-login limit (LoginRateLimiter) and the per-address connection limit
/// (MailAccessSessionTable), which IMAP and POP3 share.
@Suite struct ClientAddressGroupTests {
    static func address(_ text: String) throws -> InternetAddress { try #require(InternetAddress(text), "\(text)") }

    @Test func groupsAreIPv4AddressesAndIPv6Slash64s() throws {
        let group = { (text: String) in ClientAddressGroup(try Self.address(text)) }
        // One /64: the interface identifier does not matter.
        #expect(try group("2001:db8:1:2::1") == group("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        #expect(try group("2001:db8:1:2::1") == group("2001:db8:1:2:a:b:c:d"))
        // The next /64 is another group, as is a different /48.
        #expect(try group("2001:db8:1:2::1") != group("2001:db8:1:3::1"))
        #expect(try group("2001:db8:1:2::1") != group("2001:db8:2:2::1"))
        // IPv4-mapped IPv6 is its IPv4 address; IPv4 addresses are never grouped.
        #expect(try group("::ffff:192.0.2.7") == group("192.0.2.7"))
        #expect(try group("192.0.2.7") != group("192.0.2.8"))
        // IPv4-compatible (deprecated) and NAT64 forms are ordinary IPv6 /64s, not mapped.
        #expect(try group("::192.0.2.7") != group("192.0.2.7"))
        #expect(try group("64:ff9b::192.0.2.7") != group("192.0.2.7"))
        #expect(try group("2001:db8:1:2::1").description == "2001:db8:1:2::/64")
        #expect(try group("::ffff:192.0.2.7").description == "192.0.2.7")
    }

    @Test func failedLoginsFromOneSlash64CountTogether() throws {
        var configuration = LoginRateLimiter.Configuration()
        configuration.maximumFailuresPerAddress = 3
        configuration.maximumFailuresPerLogin = 1_000
        let limiter = LoginRateLimiter(configuration: configuration, clock: ManualClock())
        // Three failures from three addresses of one /64, each for another name.
        for (index, host) in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:dead:beef:0:1"].enumerated() {
            #expect(limiter.reserveAttempt(login: "name\(index)", from: try Self.address(host)) != nil)
        }
        // A fourth address of the same /64 is refused; the next /64 is not.
        #expect(limiter.reserveAttempt(login: "fresh", from: try Self.address("2001:db8:1:2:1234::9")) == nil)
        #expect(!limiter.allows(login: "fresh", from: try Self.address("2001:db8:1:2::77")))
        #expect(limiter.allows(login: "fresh", from: try Self.address("2001:db8:1:3::1")))
    }

    @Test func mappedAndPlainIPv4CountTogether() throws {
        var configuration = LoginRateLimiter.Configuration()
        configuration.maximumFailuresPerAddress = 2
        let limiter = LoginRateLimiter(configuration: configuration, clock: ManualClock())
        limiter.recordFailure(login: "a", from: try Self.address("192.0.2.7"))
        limiter.recordFailure(login: "b", from: try Self.address("::ffff:192.0.2.7"))
        #expect(!limiter.allows(login: "c", from: try Self.address("192.0.2.7")))
        #expect(!limiter.allows(login: "c", from: try Self.address("::ffff:192.0.2.7")))
        #expect(limiter.allows(login: "c", from: try Self.address("192.0.2.8")))
    }

    @Test func connectionsFromOneSlash64CountTogether() throws {
        var limits = MailAccessLimits()
        limits.maximumSessionsPerAddress = 2
        let table = MailAccessSessionTable()
        let first = try Self.address("2001:db8:1:2::1")
        let second = try Self.address("2001:db8:1:2::2")
        let third = try Self.address("2001:db8:1:2::3")
        #expect(table.addConnection(from: first, limits: limits) == nil)
        #expect(table.addConnection(from: second, limits: limits) == nil)
        #expect(table.addConnection(from: third, limits: limits) == .tooManyConnections)
        #expect(table.addConnection(from: try Self.address("2001:db8:1:3::1"), limits: limits) == nil)
        // One leaves: the /64 has room again, for any of its addresses.
        table.removeConnection(from: first)
        #expect(table.addConnection(from: third, limits: limits) == nil)
        // Mapped and plain IPv4: one address.
        #expect(table.addConnection(from: try Self.address("192.0.2.7"), limits: limits) == nil)
        #expect(table.addConnection(from: try Self.address("::ffff:192.0.2.7"), limits: limits) == nil)
        #expect(table.addConnection(from: try Self.address("192.0.2.7"), limits: limits) == .tooManyConnections)
        #expect(table.connectionCount == 5)
    }
}
