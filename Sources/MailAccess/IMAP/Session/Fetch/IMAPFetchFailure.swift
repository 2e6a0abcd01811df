/// Why a FETCH item could not be built for a message, and how the session answers.
///
/// ``error`` is a ``MailAccessError`` whose message names the problem but never holds
/// message bytes, a flag or an address.
public struct IMAPFetchFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The tagged reply's status (`NO`).
    public var status: IMAPStatus
    /// The response code to send (`UNKNOWN-CTE`, `SERVERBUG`), when one applies.
    public var responseCode: IMAPResponseCode?
    /// The typed error.
    public var error: MailAccessError

    /// A failure from its parts.
    public init(status: IMAPStatus = .no, responseCode: IMAPResponseCode?, error: MailAccessError) {
        self.status = status
        self.responseCode = responseCode
        self.error = error
    }

    /// BINARY of a part whose Content-Transfer-Encoding the server cannot decode: `NO
    /// [UNKNOWN-CTE]` (RFC 3516 section 4.3).
    public static let unknownTransferEncoding = IMAPFetchFailure(
        responseCode: .unknownCTE,
        error: MailAccessError.protocolViolation.with(message: "the part's Content-Transfer-Encoding cannot be decoded"))

    /// The message came without the content the items need (the mailbox was asked for less
    /// than ``IMAPFetchResponder/contentNeeded``): a server bug, `NO [SERVERBUG]`.
    public static let missingContent = IMAPFetchFailure(
        responseCode: .serverBug,
        error: MailAccessError.mailboxUnavailable.with(message: "the message was fetched without the content the items need"))

    /// A FETCH asking for more body sections, or more section bytes of one message, than
    /// ``IMAPFetchResponder/Configuration`` allows: `NO [LIMIT]` (RFC 9051 section 7.1).
    public static let sectionLimit = IMAPFetchFailure(
        responseCode: .limit,
        error: MailAccessError.limitExceeded.with(message: "the FETCH asks for more message sections than the server builds at once"))

    /// The tagged reply for the FETCH command `tag`.
    public func response(tag: String) -> IMAPResponse {
        .tagged(tag: tag, IMAPStatusResponse(status: status, code: responseCode, text: error.message))
    }

    /// The error's message.
    public var description: String { "IMAPFetchFailure(\(error.message))" }
}
