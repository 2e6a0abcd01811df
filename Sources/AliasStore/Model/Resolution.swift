public import CommunityMailSMTP

/// The answer to "where does this address go?".
public enum Resolution: Sendable, Hashable {
    /// Forward to these final addresses (chains through the store's own aliases already
    /// followed; duplicates removed, first occurrence kept).
    case recipients([String])
    /// The address is on a domain the store serves, but mail to it must be refused (or,
    /// for a 4xx reply, deferred).
    case rejected(Rejection)
    /// The domain is not one the store serves; the mail path decides (usually "relay
    /// access denied").
    case unknown

    /// The recipients, when the address forwards.
    public var recipients: [String]? { if case .recipients(let list) = self { list } else { nil } }
    /// The rejection, when the address is refused.
    public var rejection: Rejection? { if case .rejected(let rejection) = self { rejection } else { nil } }
}

/// Why an address is refused, and the SMTP reply to send.
public struct Rejection: Sendable, Hashable {
    /// The reason, for code.
    public var reason: RejectionReason
    /// The reply for the RCPT TO command (CommunityMailSMTP's, which the MX's server
    /// session sends as it is).
    public var reply: SMTPReply

    /// A rejection with the standard reply for `reason`.
    public init(_ reason: RejectionReason) {
        self.reason = reason
        self.reply = reason.reply
    }
}

/// Why an address is refused.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable {
    /// The address does not parse. 501 5.1.3.
    case invalidAddress
    /// No alias (and no catch-all or pattern) takes the local part. 550 5.1.1.
    case noSuchAlias
    /// The alias exists but is disabled. 550 5.2.1.
    case aliasDisabled
    /// The alias's owner is banned. 550 5.7.1.
    case ownerBanned
    /// The domain has not passed its DNS verification. 550 5.7.1.
    case domainUnverified
    /// Following the chain of aliases came back to an address already on the path. 550 5.4.6.
    case forwardingLoop
    /// The chain of aliases is longer than the policy's depth limit. 550 5.4.6.
    case chainTooDeep
    /// A pattern alias ran out of its step budget, so whether it matches is unknown;
    /// deferred so that no mail is lost while an admin fixes the pattern. 451 4.3.0.
    case patternBudgetExceeded
    /// The resolution spent ``AliasPolicy/patternStepsPerResolution`` on patterns before
    /// it could decide; deferred like ``patternBudgetExceeded``. 451 4.3.0.
    case resolutionBudgetExceeded
    /// The storage could not be read (locked, damaged). 451 4.3.0.
    case storageUnavailable

    /// The standard reply for this reason.
    public var reply: SMTPReply {
        switch self {
        case .invalidAddress: StandardReplies.badSyntax
        case .noSuchAlias: StandardReplies.noSuchUser
        case .aliasDisabled: StandardReplies.disabled
        case .ownerBanned: StandardReplies.notAuthorized
        case .domainUnverified: StandardReplies.domainUnverified
        case .forwardingLoop: StandardReplies.loop
        case .chainTooDeep: StandardReplies.chainTooLong
        case .patternBudgetExceeded, .resolutionBudgetExceeded, .storageUnavailable: StandardReplies.temporaryFailure
        }
    }
}

/// The replies, built once: a refused address is the MX's most frequent answer (mail to
/// addresses that never existed), and each build parses its enhanced status code.
private enum StandardReplies {
    static let badSyntax = SMTPReply(code: 501, enhancedStatusCode: "5.1.3", text: "Bad recipient address syntax")
    static let noSuchUser = SMTPReply(code: 550, enhancedStatusCode: "5.1.1", text: "No such user here")
    static let disabled = SMTPReply(code: 550, enhancedStatusCode: "5.2.1", text: "Mailbox disabled, not accepting messages")
    static let notAuthorized = SMTPReply(code: 550, enhancedStatusCode: "5.7.1", text: "Delivery not authorized, message refused")
    static let domainUnverified = SMTPReply(code: 550, enhancedStatusCode: "5.7.1", text: "Domain not verified for forwarding")
    static let loop = SMTPReply(code: 550, enhancedStatusCode: "5.4.6", text: "Routing loop detected")
    static let chainTooLong = SMTPReply(code: 550, enhancedStatusCode: "5.4.6", text: "Forwarding chain too long")
    static let temporaryFailure = SMTPReply(code: 451, enhancedStatusCode: "4.3.0", text: "Temporary lookup failure")
}
