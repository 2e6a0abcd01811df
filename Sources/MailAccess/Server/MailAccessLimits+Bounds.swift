extension MailAccessLimits {
    /// The longest timeout a server accepts. Deadlines are `now + timeout`: a year is more
    /// than any session needs, and a Duration near its range would overflow the sum and trap.
    static let longestTimeout: Duration = .seconds(366 * 24 * 3600)

    /// Whether every timeout is at most ``longestTimeout``.
    var timeoutsAreBounded: Bool {
        [idleTimeout, writeTimeout, tlsHandshakeTimeout, shutdownGracePeriod].allSatisfy { $0 <= Self.longestTimeout }
    }
}
