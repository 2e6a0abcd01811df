public import AliasStore

/// The forwarder's ``RecipientPolicy``: bounces to our SRS addresses go back to the original
/// sender, addresses on the domains the alias store serves go where their alias says, and
/// everything else is refused (we are not an open relay).
///
/// | recipient | decision |
/// |---|---|
/// | SRS0/SRS1 on the SRS domain, hash and day stamp valid | accepted: the reversed address |
/// | SRS0/SRS1 on the SRS domain, forged, altered, expired or malformed | 550 5.1.1 |
/// | an address `AliasStore.resolve` forwards | accepted: its final recipients |
/// | an address the store refuses | the store's reply (550 5.1.1, 5.2.1, 5.7.1, 5.4.6, 451 4.3.0, 501 5.1.3) |
/// | a domain the store does not serve | 550 5.7.1 relay access denied |
public struct AliasRecipientPolicy: RecipientPolicy {
    /// Where aliases are looked up.
    public let aliases: any AliasStore
    /// Reverses bounce addresses (its `Configuration.domain` is the SRS domain).
    public let srs: SRSRewriter

    /// A policy over `aliases`, reversing bounces with `srs`.
    public init(aliases: any AliasStore, srs: SRSRewriter) {
        self.aliases = aliases
        self.srs = srs
    }

    /// The decision for `recipient`.
    public func decide(_ recipient: String) async -> RecipientDecision {
        if srs.isSRSAddress(recipient) {
            do {
                return .accepted([try srs.reverse(recipient)])
            } catch {
                // Forged, expired or broken: as far as we are concerned no such address.
                return .refused(RecipientReplies.badBounceAddress)
            }
        }
        switch await aliases.resolve(recipient) {
        case .recipients(let targets) where !targets.isEmpty: return .accepted(targets)
        case .recipients: return .refused(RecipientReplies.relayDenied)
        case .rejected(let rejection): return .refused(rejection.reply)
        case .unknown: return .refused(RecipientReplies.relayDenied)
        }
    }
}
