/// Where notices go: an SMTP relay in production (``SMTPNotifier``), a list in tests
/// (``RecordingNotifier``).
public protocol Notifier: Sendable {
    /// Delivers `notice` to its recipients (hands it to the next hop).
    /// - Throws: ``SMTPError`` or the implementation's own error when it was not accepted.
    func send(_ notice: Notice) async throws
}
