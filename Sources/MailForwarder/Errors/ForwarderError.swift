public import CommunityMailSystem

/// Why a ``ForwarderServer`` could not start or stopped serving.
///
/// Compare with the static values (`error == .tlsUnavailable`). ``message`` names what
/// failed, never an address or a key.
public struct ForwarderError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidConfiguration, tlsUnavailable, network, cryptoFailure
    }

    private let parts: ErrorParts<Code>
    /// What went wrong, in words.
    public var message: String { parts.message }
    /// The failure underneath (a `NetworkError`), when there is one. Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// A configuration the server cannot run with (an empty server name, limits below 1).
    public static let invalidConfiguration = ForwarderError(.invalidConfiguration, "the forwarder's configuration is not valid")
    /// The TLS certificate or key could not be loaded.
    public static let tlsUnavailable = ForwarderError(.tlsUnavailable, "the forwarder's TLS certificate or key could not be loaded")
    /// Listening failed (the address is in use, not ours, or the system refused).
    public static let network = ForwarderError(.network, "the forwarder could not listen")
    /// libcrypto could not supply what the forwarder needs (the ``DeliveryLedger``'s random
    /// key).
    public static let cryptoFailure = ForwarderError(.cryptoFailure, "the forwarder's cryptography failed")

    /// `self` with a more specific message and the failure underneath.
    public func with(message: String, cause: (any Error)? = nil) -> ForwarderError { ForwarderError(parts.code, message, cause: cause) }

    /// True for a network failure that may pass (the cause says); configuration and
    /// certificate problems repeat.
    public var isTransient: Bool {
        guard parts.code == .network, let cause = cause as? NetworkError else { return false }
        return cause.isTransient
    }

    /// The message.
    public var description: String { "ForwarderError: \(message)" }
}
