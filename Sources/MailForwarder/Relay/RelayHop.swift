/// The next hop a forwarded message is handed to, synchronously and in memory: the
/// forwarder answers the sender's DATA only once ``relay(_:)`` returned, so nothing waits
/// in a queue (and nothing is written to disk) on our side.
///
/// ``SmarthostRelay`` hands messages to an MTA (Postfix on loopback); ``RecordingRelay``
/// is the in-memory fake for tests.
public protocol RelayHop: Sendable {
    /// Delivers `envelope` and says, per recipient, what the next hop answered. Never
    /// throws: a failure to deliver (no connection, a timeout) is a 4xx outcome, so the
    /// sender tries again later.
    func relay(_ envelope: RelayEnvelope) async -> RelayOutcome
}
