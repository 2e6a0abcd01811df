public import CommunityMailSystem

/// Why an address could not be rewritten with SRS or reversed.
///
/// Compare with the static values (`error == .invalidHash`). ``message`` never contains the
/// address, the hash or a secret: an error's text may reach a log, and addresses say who
/// wrote to whom. None of these errors is transient: the same address fails again.
///
/// A forwarder answers a reversal's ``invalidHash``, ``expired`` and ``timestampInFuture``
/// with 550 5.1.1 (the bounce address does not exist for us), and a sender that
/// ``malformedAddress`` or ``unsupportedAddress`` refuses with 553 5.1.7.
public struct SRSError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case malformedAddress, unsupportedAddress, notSRSAddress, invalidHash, expired, timestampInFuture
        case invalidConfiguration, cryptoFailure
    }

    private let parts: ErrorParts<Code>
    /// What is wrong, in words (never the address itself).
    public var message: String { parts.message }
    /// The crypto layer's error for ``cryptoFailure``. Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// An address without exactly one `@`, with an empty local part or domain, with
    /// spaces or control characters, longer than ``SRSRewriter/maximumAddressLength``
    /// bytes, or an SRS address whose fields are missing.
    public static let malformedAddress = SRSError(.malformedAddress, "the address is malformed")
    /// A well-formed address that SRS cannot carry safely: a quoted local part or a domain
    /// literal (`[192.0.2.1]`), neither of which survives inside an SRS local part.
    public static let unsupportedAddress = SRSError(
        .unsupportedAddress, "the address has a quoted local part or a domain literal, which SRS cannot carry")
    /// An address given to reverse that is not an SRS0 or SRS1 address on the SRS domain.
    public static let notSRSAddress = SRSError(.notSRSAddress, "the address is not an SRS address on the SRS domain")
    /// An SRS address whose hash no configured secret produces: forged, altered, or made
    /// with a secret that is no longer (or never was) configured.
    public static let invalidHash = SRSError(.invalidHash, "the SRS hash is not valid for any configured secret")
    /// An SRS0 address whose day stamp is older than the maximum age, or not a day stamp.
    public static let expired = SRSError(.expired, "the SRS timestamp is older than the maximum age")
    /// An SRS0 address whose day stamp lies further in the future than the tolerance.
    public static let timestampInFuture = SRSError(.timestampInFuture, "the SRS timestamp lies in the future")
    /// A configuration that cannot be used (no secret, an empty secret, a hash length
    /// or maximum age out of range, an empty SRS domain).
    public static let invalidConfiguration = SRSError(.invalidConfiguration, "the SRS configuration is not valid")

    /// libcrypto could not compute the HMAC (out of memory, a broken library).
    public static let cryptoFailure = SRSError(.cryptoFailure, "the SRS hash could not be computed")

    /// `self` with a more specific message (which must not contain the address).
    public func with(message: String) -> SRSError { SRSError(parts.code, message, cause: cause) }

    /// `self` with a more specific message and the failure underneath.
    public func with(message: String, cause: (any Error)?) -> SRSError { SRSError(parts.code, message, cause: cause) }

    /// Always false: an address that fails once fails again.
    public var isTransient: Bool { false }

    /// The message.
    public var description: String { "SRSError: \(message)" }
}
