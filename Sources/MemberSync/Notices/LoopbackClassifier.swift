import CommunityMailSystem

/// Decides whether the relay's connected address is on loopback, which is what
/// ``SMTPNotifier/TLSPolicy/automatic`` and ``SMTPNotifier/TLSPolicy/never`` go by. A seam
/// so tests, which can only reach loopback, can stand in for a relay elsewhere.
struct LoopbackClassifier: Sendable {
    let isLoopback: @Sendable (InternetAddress) -> Bool

    /// The real rule: ``InternetAddress/isLoopback`` (127.0.0.0/8, ::1, ::ffff:127.x).
    static let system = LoopbackClassifier { $0.isLoopback }
}
