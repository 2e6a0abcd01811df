import CommunityMailSMTP

extension ForwarderServer {
    /// Hands `envelope` to the next hop, leaving out the recipients the delivery ledger says
    /// already have this message (the client's `clientSender` and `clientContent`, before
    /// our `Received:` field), and records the outcome: when the sender will try again (the
    /// DATA reply over these replies and `otherReplies`, the refusals of recipients that
    /// have no final address, is 4xx), the recipients that accepted; otherwise the message
    /// is forgotten.
    /// - Returns: a reply per recipient of `envelope`, in its order; those skipped get 250.
    func relayUnlessDelivered(
        _ envelope: RelayEnvelope, clientSender: String, clientContent: [UInt8], otherReplies: [SMTPReply]
    ) async -> RelayOutcome {
        guard let ledger else { return await relay.relay(envelope) }
        // An empty ledger (the usual case) knows no message: the fingerprint is needed only
        // if this one has to be recorded.
        var fingerprint = ledger.count == 0 ? nil : DeliveryLedger.Fingerprint(sender: clientSender, content: clientContent)
        let delivered = fingerprint.map { ledger.delivered(envelope.recipients, of: $0) } ?? envelope.recipients.map { _ in false }
        let pending = zip(envelope.recipients, delivered).filter { !$0.1 }.map(\.0)
        var replies = delivered.map { $0 ? DeliveryReplies.alreadyDelivered : nil }
        if !pending.isEmpty {
            let outcome = await relay.relay(
                RelayEnvelope(sender: envelope.sender, recipients: pending, content: envelope.content, usesSMTPUTF8: envelope.usesSMTPUTF8))
            // A hop that answered for fewer recipients than it was given left the rest unanswered: they are deferred.
            var answers = outcome.replies.makeIterator()
            for index in replies.indices where replies[index] == nil {
                replies[index] = answers.next() ?? DeliveryReplies.unanswered
            }
        }
        let final = replies.map { $0 ?? DeliveryReplies.unanswered }
        if RelayOutcome(replies: final + otherReplies).dataReply.isTransientFailure {
            let accepted = zip(envelope.recipients, final).filter { $0.1.isPositive }.map(\.0)
            if !accepted.isEmpty { fingerprint = fingerprint ?? DeliveryLedger.Fingerprint(sender: clientSender, content: clientContent) }
            if let fingerprint { ledger.record(delivered: accepted, of: fingerprint) }
        } else if let fingerprint {
            // Accepted, or refused for good: the sender will not send this message again.
            ledger.forget(fingerprint)
        }
        return RelayOutcome(replies: final)
    }
}

/// The replies the delivery ledger stands in for the next hop with.
enum DeliveryReplies {
    /// A recipient that accepted this message on an earlier attempt.
    static let alreadyDelivered = SMTPReply(code: 250, enhancedStatusCode: "2.0.0", text: "Already delivered on an earlier attempt")
    /// A recipient the next hop gave no reply for.
    static let unanswered = SMTPReply(code: 451, enhancedStatusCode: "4.4.0", text: "The next hop did not answer for this recipient")
}
