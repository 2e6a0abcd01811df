public import CommunityMailSMTP

/// What a ``RecipientPolicy`` decided for one RCPT.
public enum RecipientDecision: Sendable, Hashable {
    /// Take the address: its mail goes on to these final recipients (an alias's targets,
    /// or the original sender behind an SRS address).
    case accepted([String])
    /// Refuse the address with this reply (4xx: the client may try again later; 5xx: never).
    case refused(SMTPReply)

    /// The reply to the RCPT: `250 2.1.5` for an accepted address, the refusal otherwise.
    public var reply: SMTPReply {
        switch self {
        case .accepted: RecipientReplies.accepted
        case .refused(let reply): reply
        }
    }

    /// The final recipients, when accepted.
    public var recipients: [String]? { if case .accepted(let list) = self { list } else { nil } }
}

/// The forwarder's own RCPT replies, built once (an MX gives them for most commands).
enum RecipientReplies {
    static let accepted = SMTPReply(code: 250, enhancedStatusCode: "2.1.5", text: "Recipient OK")
    /// RFC 5321 section 3.6.2 and RFC 3463: a domain we do not serve.
    static let relayDenied = SMTPReply(code: 550, enhancedStatusCode: "5.7.1", text: "Relay access denied")
    /// A bounce address we did not make, or made too long ago.
    static let badBounceAddress = SMTPReply(code: 550, enhancedStatusCode: "5.1.1", text: "No such bounce address here")
    static let temporaryFailure = SMTPReply(code: 451, enhancedStatusCode: "4.3.0", text: "Temporary lookup failure")
}
