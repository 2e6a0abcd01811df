/// An enhanced mail system status code (RFC 3463), such as `5.1.1` (bad destination
/// mailbox): class, subject and detail, as servers that announce ENHANCEDSTATUSCODES
/// (RFC 2034) put at the start of a reply's text.
public struct SMTPEnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public let statusClass: Int
    /// What the status is about (RFC 3463 section 3: 1 addressing, 2 mailbox, 3 mail
    /// system, 4 network and routing, 5 mail delivery protocol, 6 content, 7 security).
    public let subject: Int
    /// The detail within the subject.
    public let detail: Int

    /// A code from its three parts; nil unless the class is 2, 4 or 5 and subject and
    /// detail are 0...999 (RFC 3463 section 2).
    public init?(statusClass: Int, subject: Int, detail: Int) {
        guard [2, 4, 5].contains(statusClass), (0...999).contains(subject), (0...999).contains(detail) else { return nil }
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// The code `text` starts with (`"5.1.1 no such user"`), or nil when it does not start
    /// with one followed by a space or its end.
    public init?(leadingIn text: Substring) {
        let word = text.prefix { $0 != " " }
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts[0].count == 1,
            let statusClass = Int(parts[0]), let subject = Int(parts[1]), let detail = Int(parts[2])
        else { return nil }
        self.init(statusClass: statusClass, subject: subject, detail: detail)
    }

    /// `class.subject.detail`, e.g. `5.1.1`.
    public var description: String { "\(statusClass).\(subject).\(detail)" }
}

extension SMTPEnhancedStatusCode: ExpressibleByStringLiteral {
    /// A code written in the source, such as `"5.1.1"`.
    /// - Precondition: the literal is a valid code (``init(leadingIn:)`` reads it whole).
    public init(stringLiteral value: StaticString) {
        let text = "\(value)"
        guard !text.contains(" "), let code = SMTPEnhancedStatusCode(leadingIn: Substring(text)) else {
            preconditionFailure("not an enhanced status code: \(text)")
        }
        self = code
    }
}
