/// Decides, for each RCPT a sender's MTA gives the forwarder, whether the address is taken
/// and where its mail goes. ``ForwarderServer`` asks once per RCPT and answers the client
/// with the decision's reply.
///
/// The real one is ``AliasRecipientPolicy`` (SRS reversal, then the alias store); a host's
/// tests may give a closure-backed or scripted one.
public protocol RecipientPolicy: Sendable {
    /// The decision for `recipient` (the forward-path as the client gave it, without the
    /// angle brackets). Never throws: a failure to decide is a 4xx refusal.
    func decide(_ recipient: String) async -> RecipientDecision
}
