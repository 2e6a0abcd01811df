public import CommunityMailSystem

/// Why a DNS name, message or configuration could not be used.
///
/// Compare with the static values (`error == .truncatedMessage`); ``message`` says more,
/// and never contains anything secret (DNS data is public). ``isTransient`` is true for
/// timeouts, network failures and replies that do not answer the query; ``cause`` keeps the
/// network layer's error when there was one.
public struct DNSError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidName, nameTooLong, labelTooLong, truncatedMessage, badCompressionPointer, tooManyCompressionPointers
        case unsupportedLabelType, malformedRecordData, characterStringTooLong, messageTooLong, invalidAddress
        case invalidConfiguration, invalidRecord, unexpectedResponse, timedOut, networkFailure
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What is wrong, in words.
    public var message: String { parts.message }
    /// The network layer's error for ``networkFailure`` and ``timedOut`` (a
    /// `NetworkError`), when one was kept. Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// A name that is not a valid domain name (IDNA rules, empty labels, bad characters).
    public static let invalidName = DNSError(.invalidName, "the name is not a valid domain name")
    /// A name longer than 255 bytes in wire form.
    public static let nameTooLong = DNSError(.nameTooLong, "the name is longer than 255 bytes in wire form")
    /// A label longer than 63 bytes.
    public static let labelTooLong = DNSError(.labelTooLong, "a label is longer than 63 bytes")
    /// The message ends before a field it announces.
    public static let truncatedMessage = DNSError(.truncatedMessage, "the message ends in the middle of a field")
    /// A compression pointer that does not point strictly backwards (a loop or a forward jump).
    public static let badCompressionPointer = DNSError(
        .badCompressionPointer, "a compression pointer does not point backwards (a loop or a forward reference)")
    /// A name that follows more compression pointers than the hop cap allows.
    public static let tooManyCompressionPointers = DNSError(
        .tooManyCompressionPointers, "a name follows too many compression pointers")
    /// A label type other than a plain label or a pointer (the obsolete extended types).
    public static let unsupportedLabelType = DNSError(.unsupportedLabelType, "a label uses an unsupported label type")
    /// Record data that does not fit its type or its announced length.
    public static let malformedRecordData = DNSError(.malformedRecordData, "record data does not match its type or length")
    /// A character-string (TXT) longer than 255 bytes.
    public static let characterStringTooLong = DNSError(.characterStringTooLong, "a character-string is longer than 255 bytes")
    /// A message that would be longer than 65,535 bytes.
    public static let messageTooLong = DNSError(.messageTooLong, "the message is longer than 65,535 bytes")
    /// An IP address that cannot be parsed.
    public static let invalidAddress = DNSError(.invalidAddress, "the text is not an IPv4 or IPv6 address")
    /// A resolver configuration that cannot be used.
    public static let invalidConfiguration = DNSError(.invalidConfiguration, "the resolver configuration is not valid")
    /// A record that the in-memory resolver refuses (outside its zones, CNAME beside other data).
    public static let invalidRecord = DNSError(.invalidRecord, "the record cannot be added")
    /// A reply that is not a response to the query (wrong id, question or opcode).
    public static let unexpectedResponse = DNSError(.unexpectedResponse, "the reply does not answer the query")

    /// No reply came in time.
    public static let timedOut = DNSError(.timedOut, "no reply came in time")
    /// A socket operation failed (unreachable, refused, closed early).
    public static let networkFailure = DNSError(.networkFailure, "a network operation failed")

    /// `self` with a more specific message.
    public func with(message: String) -> DNSError { DNSError(code, message, cause: cause) }

    /// `self` with a more specific message and the network layer's error.
    public func with(message: String, cause: (any Error)?) -> DNSError { DNSError(code, message, cause: cause) }

    /// True when asking again may succeed: a timeout, a reply that does not answer the
    /// query (lost, spoofed or misrouted), and a network failure unless its cause says it
    /// will repeat. False for malformed names, messages, records, addresses and
    /// configuration.
    public var isTransient: Bool {
        switch code {
        case .timedOut, .unexpectedResponse: true
        case .networkFailure: cause.map(\.isTransientFailure) ?? true
        default: false
        }
    }

    /// The message.
    public var description: String { "DNSError: \(message)" }
}
