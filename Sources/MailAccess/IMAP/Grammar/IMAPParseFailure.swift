/// A command the parser could not accept, and what the session does about it.
///
/// ``error`` is ``MailAccessError/protocolViolation`` or ``MailAccessError/limitExceeded``
/// with a message that names the problem but never repeats the client's bytes.
public struct IMAPParseFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the session does after answering.
    public enum Disposition: Sendable, Hashable {
        /// Answer the command (tagged, or `* BAD` without a tag) and read the next one: the
        /// framing is intact.
        case rejectCommand
        /// Answer, then close the connection: the parser cannot find where the next command
        /// starts (a non-synchronising literal it will not read, an overlong line).
        case closeConnection
    }

    /// The command's tag when it could be read; nil means answer `* BAD`.
    public var tag: String?
    /// The reply's status: `.bad` for grammar, `.no` for a refusal such as an APPEND over
    /// the size limit (`NO [TOOBIG]`).
    public var status: IMAPStatus
    /// The response code to send (`TOOBIG`, `BADCHARSET`, `LIMIT`...), when one applies.
    public var responseCode: IMAPResponseCode?
    /// The typed error (no client bytes in its message).
    public var error: MailAccessError
    /// Whether the connection can go on.
    public var disposition: Disposition

    /// A failure from its parts.
    public init(
        tag: String?, status: IMAPStatus = .bad, responseCode: IMAPResponseCode? = nil, error: MailAccessError,
        disposition: Disposition = .rejectCommand
    ) {
        self.tag = tag
        self.status = status
        self.responseCode = responseCode
        self.error = error
        self.disposition = disposition
    }

    /// The reply the session sends: tagged when the tag is known, else untagged BAD.
    public var response: IMAPResponse {
        let status = IMAPStatusResponse(status: tag == nil ? .bad : status, code: responseCode, text: error.message)
        if let tag { return .tagged(tag: tag, status) }
        return .untagged(.condition(status))
    }

    /// The error's message and the disposition.
    public var description: String { "IMAPParseFailure(\(error.message), \(disposition))" }
}
