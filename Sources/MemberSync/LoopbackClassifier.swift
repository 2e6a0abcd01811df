#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether the relay's connected address is on loopback, which is what
/// ``SMTPNotifier/TLSPolicy/automatic`` and ``SMTPNotifier/TLSPolicy/never`` go by. A seam
/// so tests, which can only reach loopback, can stand in for a relay elsewhere.
struct LoopbackClassifier: Sendable {
    let isLoopback: @Sendable (sockaddr_storage) -> Bool

    /// The real rule: ``RelaySocket/isLoopback(_:)``.
    static let system = LoopbackClassifier(isLoopback: RelaySocket.isLoopback)
}
