public import CommunityMailSystem

/// Why a mail-authentication step could not run or could not give a result.
///
/// Most checks never throw: a bad signature, a failing SPF policy or a missing DMARC record
/// is a *result* (``SPFResult``, a DKIM or DMARC verdict), not an error. These errors are
/// for the caller's mistakes (a key that cannot sign, a message that cannot be sealed) and
/// for input that cannot be read at all. Compare with the static values
/// (`error == .invalidKey`). ``message`` never contains an address, a key or message bytes.
public struct MailAuthError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidKey, invalidMessage, invalidRecord, invalidArgument, limitExceeded, cryptoFailure, dnsFailure
    }

    private let parts: ErrorParts<Code>
    /// What is wrong, in words (never an address, a key or message bytes).
    public var message: String { parts.message }
    /// The failure underneath (a ``CryptoError`` for ``cryptoFailure``). Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// A key that cannot be read or used: not PEM or DER, the wrong type for the algorithm,
    /// or an RSA key shorter than the minimum.
    public static let invalidKey = MailAuthError(.invalidKey, "the key cannot be read or used")
    /// A message that cannot be signed or sealed: no header/body separation, a header field
    /// that must be present (From) missing or repeated.
    public static let invalidMessage = MailAuthError(.invalidMessage, "the message cannot be processed")
    /// A record or header field that does not follow its grammar (a DKIM-Signature, a DMARC
    /// or SPF record, an Authentication-Results field).
    public static let invalidRecord = MailAuthError(.invalidRecord, "the record does not follow its grammar")
    /// An argument outside what the operation accepts (a selector that is not a DNS label, an
    /// ARC instance out of range).
    public static let invalidArgument = MailAuthError(.invalidArgument, "an argument is out of range")
    /// Input beyond a configured limit (header size, number of tags, lookups).
    public static let limitExceeded = MailAuthError(.limitExceeded, "the input exceeds a limit")
    /// libcrypto failed (out of memory, a broken library).
    public static let cryptoFailure = MailAuthError(.cryptoFailure, "a cryptographic operation failed")
    /// A DNS lookup the operation needs did not complete (timeout, server failure).
    public static let dnsFailure = MailAuthError(.dnsFailure, "a DNS lookup did not complete")

    /// `self` with a more specific message (which must not contain an address or a key).
    public func with(message: String) -> MailAuthError { MailAuthError(parts.code, message, cause: cause) }

    /// `self` with a more specific message and the failure underneath.
    public func with(message: String, cause: (any Error)?) -> MailAuthError { MailAuthError(parts.code, message, cause: cause) }

    /// True only for ``dnsFailure``: asking again later may succeed.
    public var isTransient: Bool { parts.code == .dnsFailure }

    /// The message.
    public var description: String { "MailAuthError: \(message)" }
}
