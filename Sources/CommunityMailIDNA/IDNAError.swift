public import CommunityMailSystem

/// Why a domain name is not valid. Never transient: the same name fails the same way.
public struct IDNAError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case empty, emptyLabel, labelTooLong, nameTooLong, invalidCharacter, invalidHyphen, invalidPunycode, invalidCodePoint
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What is wrong, naming the label.
    public var message: String { parts.message }

    private init(_ code: Code, _ message: String) { parts = ErrorParts(code, message) }

    /// Always false: a malformed name stays malformed.
    public var isTransient: Bool { false }

    /// The name is empty.
    public static let empty = IDNAError(.empty, "the domain name is empty")
    /// Two dots in a row, or a leading dot.
    public static let emptyLabel = IDNAError(.emptyLabel, "the domain name has an empty label")
    /// A label is longer than 63 bytes in ASCII form.
    public static let labelTooLong = IDNAError(.labelTooLong, "a label is longer than 63 bytes")
    /// The name is longer than 253 bytes in ASCII form.
    public static let nameTooLong = IDNAError(.nameTooLong, "the domain name is longer than 253 bytes")
    /// A character outside letters, digits and hyphen.
    public static let invalidCharacter = IDNAError(.invalidCharacter, "the domain name contains a character that is not allowed")
    /// A label starts or ends with a hyphen, or has `--` at positions 3-4 without `xn`, or a
    /// Unicode label does either.
    public static let invalidHyphen = IDNAError(.invalidHyphen, "a label has a misplaced hyphen")
    /// An `xn--` label is not valid Punycode, decodes to nothing or to plain ASCII, or does
    /// not encode back to itself; or a label cannot be encoded.
    public static let invalidPunycode = IDNAError(.invalidPunycode, "a label is not valid Punycode")
    /// A Unicode label (given, or decoded from an `xn--` label) holds a code point IDNA does
    /// not allow: a control, format or bidi control, separator, private-use, unassigned or
    /// noncharacter code point, or a combining mark first.
    public static let invalidCodePoint = IDNAError(.invalidCodePoint, "a label contains a code point that is not allowed")

    /// `self` with a more specific message.
    public func with(message: String) -> IDNAError { IDNAError(code, message) }

    /// The message.
    public var description: String { "IDNAError: \(message)" }
}
