import Synchronization

/// What the forwarder has done since it started, as counts per reply code: the only
/// record it keeps (no addresses, no subjects, no message bytes).
final class TrafficCounts: Sendable {
    private struct State {
        var recipients: [String: Int] = [:]
        var messages: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// Counts one RCPT answered with `status` ("250 2.1.5").
    func countRecipient(_ status: String) { state.withLock { $0.recipients[status, default: 0] += 1 } }

    /// Counts one message whose DATA was answered with `status`.
    /// Counts a message by its reply code alone: the enhanced code after it may come from a
    /// destination MX (--direct), which would choose our keys.
    func countMessage(_ code: Int) { state.withLock { $0.messages[String(code), default: 0] += 1 } }

    /// One line: `messages 250 2.0.0=998 451 4.4.1=2; recipients 250 2.1.5=1000 550 5.1.1=3`.
    var summary: String {
        state.withLock { state in
            "messages \(Self.format(state.messages)); recipients \(Self.format(state.recipients))"
        }
    }

    private static func format(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
