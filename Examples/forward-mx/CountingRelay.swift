import CommunityMailSMTP
import MailForwarder

/// A ``RelayHop`` that hands each message to another, counts the reply the sender gets and
/// logs the failures by code and recipient count only.
struct CountingRelay: RelayHop {
    let relay: any RelayHop
    let counts: TrafficCounts
    let log: @Sendable (String) -> Void

    func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
        let outcome = await relay.relay(envelope)
        let reply = outcome.dataReply
        counts.countMessage(reply.summary)
        if !outcome.isAccepted {
            let refused = outcome.replies.filter { !$0.isPositive }.count
            log("relay: \(reply.summary) for \(refused) of \(outcome.replies.count) recipients")
        }
        return outcome
    }
}
