/// What an SMTP server answered for each recipient of one message: the reply to each RCPT
/// and the reply to the message itself (RFC 5321 section 3.3).
///
/// A server may refuse some recipients and take the message for the others; a recipient
/// it accepted has the message only if the reply to DATA (``dataReply``) is positive.
/// ``SMTPClient/deliver(_:over:security:)`` and its siblings return one.
public struct SMTPDeliveryReport: Sendable, Hashable {
    /// The reply to each RCPT, in the order of the message's recipients.
    public let recipientReplies: [SMTPReply]
    /// The reply that ended the message: to the final dot, or to DATA when the server
    /// refused DATA itself. Nil when no recipient was accepted (DATA was never sent).
    public let dataReply: SMTPReply?

    /// A report. `dataReply` should be nil exactly when no reply in `recipientReplies`
    /// accepts (``isAcceptance(_:)``); where it is nil, accepted recipients' ``replies``
    /// are 451 4.4.0 (they do not have the message).
    public init(recipientReplies: [SMTPReply], dataReply: SMTPReply?) {
        self.recipientReplies = recipientReplies
        self.dataReply = dataReply
    }

    /// Whether `recipientReply` accepts a recipient: 250, or 251 "will forward" (RFC 5321
    /// section 4.2.2). 252 belongs to VRFY, not RCPT.
    public static func isAcceptance(_ recipientReply: SMTPReply) -> Bool { [250, 251].contains(recipientReply.code) }

    /// The outcome for each recipient, in the message's order: the refusal for a refused
    /// RCPT, the ``dataReply`` for an accepted one. A recipient that does not have the
    /// message never reads as positive: a 2xx to RCPT that does not accept (252), or an
    /// accepted RCPT without a reply to the message, becomes 451 4.4.0.
    public var replies: [SMTPReply] {
        recipientReplies.map { reply in
            if Self.isAcceptance(reply) { return dataReply ?? Self.notDelivered }
            return reply.isPositive ? Self.notDelivered : reply
        }
    }

    /// What ``replies`` says for a recipient that did not get the message and was not refused.
    static let notDelivered = SMTPReply(code: 451, enhancedStatusCode: "4.4.0", text: "The recipient was not accepted")

    /// Whether each recipient has the message: its RCPT was accepted and so was the message.
    public var deliveredRecipients: [Bool] {
        let messageAccepted = dataReply?.isPositive ?? false
        return recipientReplies.map { messageAccepted && Self.isAcceptance($0) }
    }

    /// Whether every recipient has the message.
    public var isDeliveredToEveryRecipient: Bool { !recipientReplies.isEmpty && deliveredRecipients.allSatisfy { $0 } }
}
