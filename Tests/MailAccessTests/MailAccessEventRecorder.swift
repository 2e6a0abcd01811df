import MailAccess
import Synchronization

/// Keeps every event a server reports, in order, for a test to read.
final class MailAccessEventRecorder: Sendable {
    private let recorded = Mutex<[MailAccessEvent]>([])

    /// The events so far.
    var events: [MailAccessEvent] { recorded.withLock { $0 } }

    func record(_ event: MailAccessEvent) { recorded.withLock { $0.append(event) } }
}
