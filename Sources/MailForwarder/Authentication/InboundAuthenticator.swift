/// Checks a message the forwarder received before it is forwarded: SPF, DKIM, DMARC, and
/// the fields to add (Authentication-Results, an ARC set).
///
/// ``ForwarderServer`` calls it once per message, after the recipients resolved to at
/// least one final address and before the relay, on the session's task; the client waits
/// for its DATA reply meanwhile, so keep its DNS lookups bounded (the MailAuth checks are).
/// `MailAuthInboundAuthenticator` is the real one; a test can script verdicts with any
/// type of its own.
public protocol InboundAuthenticator: Sendable {
    /// The verdict on `message`: forward it (with fields to prepend) or refuse it.
    func authenticate(_ message: InboundMessage) async -> InboundVerdict
}
