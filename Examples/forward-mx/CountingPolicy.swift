import CommunityMailSMTP
import MailForwarder

/// A ``RecipientPolicy`` that asks another and counts its replies' codes.
struct CountingPolicy: RecipientPolicy {
    /// The policy that decides.
    let policy: any RecipientPolicy
    /// Where the reply codes are counted.
    let counts: TrafficCounts

    func decide(_ recipient: String) async -> RecipientDecision {
        let decision = await policy.decide(recipient)
        counts.countRecipient(decision.reply.summary)
        return decision
    }
}
