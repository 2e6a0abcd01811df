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

    /// Whether `recipientReply` accepts a recipient: any 2xx. RFC 5321 names 250 and 251
    /// ("will forward"), and section 4.2.1 has a client judge an unexpected code by its
    /// first digit: the server takes the recipient, so the message goes to it.
    public static func isAcceptance(_ recipientReply: SMTPReply) -> Bool { recipientReply.isPositive }

    /// The outcome for each recipient, in the message's order: the refusal for a refused
    /// RCPT, the ``dataReply`` for an accepted one. An accepted recipient without a reply to
    /// the message (a report built by hand) never reads as positive: 451 4.4.0.
    public var replies: [SMTPReply] {
        recipientReplies.map { reply in Self.isAcceptance(reply) ? dataReply ?? Self.notDelivered : reply }
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
