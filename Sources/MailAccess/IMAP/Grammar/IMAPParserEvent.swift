/// What ``IMAPCommandParser/next()`` found in the bytes so far.
public enum IMAPParserEvent: Sendable, Hashable {
    /// A whole command.
    case command(IMAPCommand)
    /// The client sent a synchronising literal's `{n}` and waits: send a continuation
    /// request (`+ Ready`) now; the literal's bytes follow.
    case continuationRequest
    /// The `DONE` that ends IDLE (after ``IMAPCommandParser/expectIdleDone()``).
    case idleDone
    /// A client's line during AUTHENTICATE (after
    /// ``IMAPCommandParser/expectAuthenticationResponse()``).
    case authenticationResponse(IMAPAuthenticationResponse)
    /// Input the parser refuses; answer with ``IMAPParseFailure/response`` and follow its
    /// ``IMAPParseFailure/disposition``.
    case failure(IMAPParseFailure)
}

/// A client's answer to a SASL challenge (RFC 9051 section 6.2.2).
public enum IMAPAuthenticationResponse: Sendable, Hashable {
    /// The decoded base64 response (empty for an empty line).
    case response(IMAPSecret)
    /// `*`: the client cancels; answer `tag BAD`.
    case cancelled
}
