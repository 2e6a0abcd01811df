import CommunityMailSMTP

extension ForwarderServer {
    /// Hands `envelope` to the next hop, leaving out the recipients the delivery ledger says
    /// already have this message (the client's `clientSender` and `clientContent`, before
    /// our `Received:` field), and records the outcome: when the sender will try again (the
    /// DATA reply over these replies and `otherReplies`, the refusals of recipients that
    /// have no final address, is 4xx), the recipients that accepted; otherwise this
    /// transaction's recipients are forgotten.
    /// - Returns: a reply per recipient of `envelope`, in its order; those skipped get 250,
    ///   those the hop gave no reply for 451.
    func relayUnlessDelivered(
        _ envelope: RelayEnvelope, clientSender: String, clientContent: [UInt8], otherReplies: [SMTPReply]
    ) async -> RelayOutcome {
        guard let ledger else { return RelayOutcome(replies: Self.oneReplyEach(await relayWithinTimeout(envelope), envelope.recipients.count)) }
        // An empty ledger (the usual case) knows no message: the fingerprint is needed only
        // if this one has to be recorded.
        var fingerprint = ledger.count == 0 ? nil : DeliveryLedger.Fingerprint(sender: clientSender, content: clientContent)
        let delivered = fingerprint.map { ledger.delivered(envelope.recipients, of: $0) } ?? envelope.recipients.map { _ in false }
        let pending = zip(envelope.recipients, delivered).filter { !$0.1 }.map(\.0)
        var replies = delivered.map { $0 ? DeliveryReplies.alreadyDelivered : nil }
        if !pending.isEmpty {
            let outcome = await relayWithinTimeout(
                RelayEnvelope(sender: envelope.sender, recipients: pending, content: envelope.content, usesSMTPUTF8: envelope.usesSMTPUTF8))
            var answers = Self.oneReplyEach(outcome, pending.count).makeIterator()
            for index in replies.indices where replies[index] == nil { replies[index] = answers.next() }
        }
        let final = replies.map { $0 ?? DeliveryReplies.unanswered }
        if RelayOutcome(replies: final + otherReplies).dataReply.isTransientFailure {
            let accepted = zip(envelope.recipients, final).filter { $0.1.isPositive }.map(\.0)
            if !accepted.isEmpty { fingerprint = fingerprint ?? DeliveryLedger.Fingerprint(sender: clientSender, content: clientContent) }
            if let fingerprint { ledger.record(delivered: accepted, of: fingerprint) }
        } else if let fingerprint {
            // Accepted, or refused for good: the sender will not send this transaction again.
            ledger.forget(envelope.recipients, of: fingerprint)
        }
        return RelayOutcome(replies: final)
    }

    /// `outcome`'s replies as exactly `count`: a hop that answered for fewer recipients than
    /// it was given left the rest unanswered (deferred); extra replies are dropped.
    static func oneReplyEach(_ outcome: RelayOutcome, _ count: Int) -> [SMTPReply] {
        Array(outcome.replies.prefix(count)) + Array(repeating: DeliveryReplies.unanswered, count: max(0, count - outcome.replies.count))
    }

    /// The hop's outcome, or, past ``Configuration/relayTimeout``, what it answers once
    /// cancelled (a hop answers a cancellation with deferrals for what it had not finished):
    /// the sender waits at most 10 minutes for its DATA reply (RFC 5321 section
    /// 4.5.3.2.6), and a reply it no longer waits for makes its retry a duplicate.
    func relayWithinTimeout(_ envelope: RelayEnvelope) async -> RelayOutcome {
        let timeout = configuration.relayTimeout
        return await withTaskGroup(of: RelayOutcome?.self) { group in
            group.addTask { await self.relay.relay(envelope) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var outcome: RelayOutcome?
            var timedOut = false
            while let finished = await group.next() {
                if let finished {
                    outcome = finished
                    break
                }
                // The timer: the relay is cancelled and answers for what it had done.
                timedOut = !Task.isCancelled
                group.cancelAll()
            }
            group.cancelAll()
            guard let outcome else { return RelayOutcome(everyRecipient: DeliveryReplies.timedOut, recipientCount: envelope.recipients.count) }
            // What the cancelled hop had not finished took too long: say so (4.4.7).
            return timedOut ? RelayOutcome(replies: outcome.replies.map { $0.isPositive ? $0 : DeliveryReplies.timedOut }) : outcome
        }
    }
}

/// The replies the delivery ledger stands in for the next hop with.
enum DeliveryReplies {
    /// A recipient that accepted this message on an earlier attempt.
    static let alreadyDelivered = SMTPReply(code: 250, enhancedStatusCode: "2.0.0", text: "Already delivered on an earlier attempt")
    /// The next hop had not answered within ``ForwarderServer/Configuration/relayTimeout``.
    static let timedOut = SMTPReply(code: 451, enhancedStatusCode: "4.4.7", text: "The next hop took too long, try again later")
    /// A recipient the next hop gave no reply for.
    static let unanswered = SMTPReply(code: 451, enhancedStatusCode: "4.4.0", text: "The next hop did not answer for this recipient")
}
