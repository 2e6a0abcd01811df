import CommunityMailSMTP
import MailForwarder

/// A ``RelayHop`` that hands each message to another, counts the reply the sender gets and
/// logs the failures by code and recipient count only.
struct CountingRelay: RelayHop {
    /// The next hop that delivers.
    let relay: any RelayHop
    /// Where the sender's DATA replies are counted.
    let counts: TrafficCounts
    /// Where a failed delivery is reported (a line without addresses).
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
