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
/// | `postmaster@` a served domain without a postmaster alias, or the bare `Postmaster` | accepted: ``postmasterRecipients`` (when set) |
public struct AliasRecipientPolicy: RecipientPolicy {
    /// Where aliases are looked up.
    public let aliases: any AliasStore
    /// Reverses bounce addresses (its `Configuration.domain` is the SRS domain).
    public let srs: SRSRewriter

    /// Where mail to the postmaster goes when a served domain has no `postmaster` alias of
    /// its own, and mail to the bare `Postmaster`: RFC 5321 section 4.5.1 says an MX must
    /// accept both. Empty (the default) refuses them like any unknown address (550 5.1.1):
    /// give the service operator's address.
    public var postmasterRecipients: [String]

    /// A policy over `aliases`, reversing bounces with `srs`, sending postmaster mail to
    /// `postmasterRecipients`.
    public init(aliases: any AliasStore, srs: SRSRewriter, postmasterRecipients: [String] = []) {
        self.aliases = aliases
        self.srs = srs
        self.postmasterRecipients = postmasterRecipients
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
        let isPostmaster = !postmasterRecipients.isEmpty && Self.isPostmaster(recipient)
        if isPostmaster, !recipient.contains("@") { return .accepted(postmasterRecipients) }
        switch await aliases.resolve(recipient) {
        case .recipients(let targets) where !targets.isEmpty: return .accepted(targets)
        case .recipients: return .refused(RecipientReplies.relayDenied)
        case .rejected(let rejection) where isPostmaster && rejection.reason == .noSuchAlias: return .accepted(postmasterRecipients)
        case .rejected(let rejection): return .refused(rejection.reply)
        case .unknown: return .refused(RecipientReplies.relayDenied)
        }
    }

    /// Whether `recipient` is the bare `Postmaster` or has the local part `postmaster`
    /// (either in any case; RFC 5321 section 4.5.1).
    static func isPostmaster(_ recipient: String) -> Bool {
        let local = recipient.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return local.lowercased() == "postmaster"
    }
}
