public import CommunityMailSMTP

/// What the next hop answered for one message: a reply per recipient, in the envelope's
/// order (``SmarthostRelay``: a refused RCPT's reply, or the reply to the message for an
/// accepted one). When the whole conversation failed (no connection, a refused sender),
/// every recipient gets the same reply.
public struct RelayOutcome: Sendable, Hashable {
    /// The next hop's reply for each of the envelope's recipients.
    public let replies: [SMTPReply]

    /// An outcome with one reply per recipient.
    public init(replies: [SMTPReply]) { self.replies = replies }

    /// The same `reply` for each of `recipientCount` recipients.
    public init(everyRecipient reply: SMTPReply, recipientCount: Int) {
        replies = Array(repeating: reply, count: max(1, recipientCount))
    }

    /// Whether every recipient accepted the message.
    public var isAccepted: Bool { !replies.isEmpty && replies.allSatisfy(\.isPositive) }

    /// The reply to the sender's DATA (Forward Email's rule, the lowest over recipients):
    /// 250 only when every recipient accepted; 451 when any deferred (the sender retries,
    /// since a message we answered 250 for is gone from its queue); otherwise the first
    /// refusal's code, when it is one a DATA reply may carry (550, 552, 554), else 554.
    ///
    /// The next hop's text is not passed on: it may name the final recipients, which the
    /// sender must not learn from an alias. Its enhanced status code is kept.
    public var dataReply: SMTPReply {
        if isAccepted { return OutcomeReplies.forwarded }
        if let deferral = replies.first(where: { $0.isTransientFailure || (!$0.isPositive && !$0.isPermanentFailure) }) {
            return SMTPReply(
                code: 451, enhancedStatusCode: Self.enhanced(deferral, fallback: "4.4.0"),
                text: "The next hop deferred the message, try again later")
        }
        let refusal = replies.first { $0.isPermanentFailure } ?? OutcomeReplies.refusedWithoutReply
        let code = [550, 552, 554].contains(refusal.code) ? refusal.code : 554
        return SMTPReply(code: code, enhancedStatusCode: Self.enhanced(refusal, fallback: "5.0.0"), text: "The next hop refused the message")
    }

    /// `reply`'s enhanced status code when it has the reply's class, else `fallback`.
    private static func enhanced(_ reply: SMTPReply, fallback: SMTPEnhancedStatusCode) -> SMTPEnhancedStatusCode {
        guard let code = reply.enhancedStatusCode, code.statusClass == fallback.statusClass else { return fallback }
        return code
    }
}

/// Replies built once.
private enum OutcomeReplies {
    static let forwarded = SMTPReply(code: 250, enhancedStatusCode: "2.0.0", text: "Forwarded")
    static let refusedWithoutReply = SMTPReply(code: 554, enhancedStatusCode: "5.0.0", text: "The next hop refused the message")
}
