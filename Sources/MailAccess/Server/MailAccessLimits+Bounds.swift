extension MailAccessLimits {
    /// The longest timeout a server accepts. Deadlines are `now + timeout`: a year is more
    /// than any session needs, and a Duration near its range would overflow the sum and trap.
    static let longestTimeout: Duration = .seconds(366 * 24 * 3600)

    /// Whether every timeout is at most ``longestTimeout``.
    var timeoutsAreBounded: Bool {
        [idleTimeout, writeTimeout, tlsHandshakeTimeout, shutdownGracePeriod].allSatisfy { $0 <= Self.longestTimeout }
    }

    /// Whether a server can run with these limits: at least one session of each kind,
    /// timeouts above zero (a zero idle timeout would end every session at its greeting)
    /// and bounded, and a grace period that is not negative.
    var areUsable: Bool {
        maximumSessions >= 1 && maximumSessionsPerAddress >= 1 && maximumSessionsPerUser >= 1 && timeoutsAreBounded
            && [idleTimeout, writeTimeout, tlsHandshakeTimeout].allSatisfy(Self.isUsable) && shutdownGracePeriod >= .zero
    }

    /// Whether `timeout` can be a deadline's distance: above zero and at most
    /// ``longestTimeout``.
    static func isUsable(_ timeout: Duration) -> Bool { timeout > .zero && timeout <= longestTimeout }
}
