public import CommunityMailSMTP
import Synchronization

/// The in-memory ``RelayHop`` for tests: records every envelope it is handed and answers
/// as scripted (250 for every recipient unless told otherwise).
///
/// ```swift
/// let relay = RecordingRelay()
/// relay.answer(SMTPReply(451, "4.2.0 try later"), for: "slow@example.org")
/// // ... run a ForwarderServer with it ...
/// relay.envelopes   // what was relayed, in order
/// ```
public final class RecordingRelay: RelayHop {
    private struct State {
        var envelopes: [RelayEnvelope] = []
        var byRecipient: [String: SMTPReply] = [:]
        var everyMessage: SMTPReply?
    }

    private let state = Mutex(State())

    /// The reply given to recipients nothing else was scripted for.
    public static let accepted = SMTPReply(code: 250, enhancedStatusCode: "2.0.0", text: "Recorded")

    /// A relay that accepts everything.
    public init() {}

    /// Every envelope handed over so far, in order (including those it refused).
    public var envelopes: [RelayEnvelope] { state.withLock { $0.envelopes } }

    /// Answers `reply` for `recipient` (exactly as spelled) from now on; nil goes back to 250.
    public func answer(_ reply: SMTPReply?, for recipient: String) {
        state.withLock { $0.byRecipient[recipient] = reply }
    }

    /// Answers `reply` for every recipient of every message from now on (recipient answers
    /// still win); nil goes back to 250.
    public func answerEveryMessage(_ reply: SMTPReply?) {
        state.withLock { $0.everyMessage = reply }
    }

    /// Records `envelope` and answers as scripted.
    public func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
        state.withLock { state in
            state.envelopes.append(envelope)
            let replies = envelope.recipients.map { state.byRecipient[$0] ?? state.everyMessage ?? Self.accepted }
            return RelayOutcome(replies: replies)
        }
    }
}
