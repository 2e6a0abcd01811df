/// Why a SEARCH cannot be answered, and how the session answers (a tagged `NO`).
///
/// ``error`` is a ``MailAccessError`` whose message never repeats the search strings.
public struct IMAPSearchFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The tagged reply's status.
    public var status: IMAPStatus
    /// The response code to send (`BADCHARSET (...)`, `LIMIT`).
    public var responseCode: IMAPResponseCode?
    /// The typed error.
    public var error: MailAccessError

    /// A failure from its parts.
    public init(status: IMAPStatus = .no, responseCode: IMAPResponseCode?, error: MailAccessError) {
        self.status = status
        self.responseCode = responseCode
        self.error = error
    }

    /// The charsets SEARCH understands, as `BADCHARSET` lists them.
    public static let supportedCharsets = ["UTF-8", "US-ASCII"]

    /// A CHARSET other than US-ASCII and UTF-8: `NO [BADCHARSET (UTF-8 US-ASCII)]`
    /// (RFC 9051 section 6.4.4).
    public static let badCharset = IMAPSearchFailure(
        responseCode: .badCharset(supportedCharsets),
        error: MailAccessError.protocolViolation.with(message: "the search charset is not supported"))

    /// Search keys nested deeper than ``IMAPSearchEvaluator/maximumNesting``: `NO [LIMIT]`.
    public static let tooDeep = IMAPSearchFailure(
        responseCode: .limit, error: MailAccessError.limitExceeded.with(message: "the search keys nest too deeply"))

    /// The tagged reply for the SEARCH command `tag`.
    public func response(tag: String) -> IMAPResponse {
        .tagged(tag: tag, IMAPStatusResponse(status: status, code: responseCode, text: error.message))
    }

    /// The error's message.
    public var description: String { "IMAPSearchFailure(\(error.message))" }
}
