import CommunityMailSMTP
import Synchronization

/// A ``Notifier`` for tests: keeps every notice it is given; can be told to fail.
public final class RecordingNotifier: Notifier {
    private struct State {
        var sent: [Notice] = []
        var failuresLeft = 0
    }

    private let state = Mutex(State())

    /// An empty recorder.
    public init() {}

    /// Notices sent so far, in order.
    public var sent: [Notice] { state.withLock { $0.sent } }

    /// Makes the next `count` sends fail with ``SMTPError/rejected``.
    public func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }

    /// Forgets every notice.
    public func reset() { state.withLock { $0.sent.removeAll() } }

    /// Records `notice`, or fails as scripted.
    public func send(_ notice: Notice) async throws {
        let fail = state.withLock { state -> Bool in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return true
            }
            state.sent.append(notice)
            return false
        }
        if fail { throw SMTPError.rejected.with(message: "the recording notifier was told to fail") }
    }
}
