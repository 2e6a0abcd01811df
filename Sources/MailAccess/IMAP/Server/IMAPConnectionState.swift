/// What an IMAP connection answers itself, apart from I/O: the not-authenticated state
/// (CAPABILITY, NOOP, LOGOUT, ID, STARTTLS, LOGIN, AUTHENTICATE PLAIN with SASL-IR or a
/// continuation) and, after login, the commands the connection keeps (CAPABILITY, LOGOUT,
/// ID, IDLE; STARTTLS, LOGIN and AUTHENTICATE are refused). Every other command after login
/// goes to the session (``Action/forward(_:)``).
///
/// Commands in; ``Action``s out, which ``IMAPServer``'s connection carries out in order and
/// answers (``tlsEstablished()``, ``authenticationFinished(tag:_:)``). Nothing here reads a
/// socket, a clock or a mailbox.
public struct IMAPConnectionState: Sendable {
    /// The connection's settings.
    public struct Configuration: Sendable, Hashable {
        /// The name in the greeting. Default: `localhost`.
        public var serverName = "localhost"
        /// Whether STARTTLS is offered (a certificate is configured). Default: false.
        public var offersSTARTTLS = false
        /// Whether this client may send a password without TLS. Default: false.
        public var allowsPlaintextAuthentication = false
        /// The literal forms the parser takes (announced as LITERAL+ or LITERAL-). Default:
        /// ``IMAPCommandParser/NonSynchronizingLiterals/literalPlus``.
        public var nonSynchronizingLiterals = IMAPCommandParser.NonSynchronizingLiterals.literalPlus
        /// The APPENDLIMIT announced. Default: the parser's default `maximumAppendSize`.
        public var appendLimit = IMAPCommandParser.Configuration().maximumAppendSize
        /// The `name` field of the ID response (RFC 2971); nil answers `ID NIL`. Default: nil.
        public var implementation: String?

        /// The defaults.
        public init() {}
    }

    /// What the connection does next.
    public enum Action: Sendable, Hashable {
        /// Send the response.
        case respond(IMAPResponse)
        /// Send what is buffered, drop the input read so far (RFC 9051 section 6.2.1), run
        /// the TLS handshake, then call ``IMAPConnectionState/tlsEstablished()``.
        case startTLS
        /// Check the credentials (rate limits, authenticator, session limits), then call
        /// ``IMAPConnectionState/authenticationFinished(tag:_:)``.
        case authenticate(tag: String, credentials: MailAccessCredentials)
        /// The next line is the client's SASL response: put the parser in that mode.
        case awaitAuthenticationResponse
        /// Run IDLE (RFC 2177) for the command tagged `tag`.
        case idle(tag: String)
        /// The session runs the command.
        case forward(IMAPCommand)
        /// Close the connection (after sending what came before).
        case close
    }

    /// How a login attempt ended.
    public enum AuthenticationOutcome: Sendable, Hashable {
        /// Logged in.
        case succeeded
        /// Wrong name or password (one answer for both).
        case refused
        /// Too many failed logins lately from the address or for the name.
        case rateLimited
        /// The member has too many sessions open.
        case tooManySessions
        /// The mailbox cannot be opened; `temporary` when trying later may work.
        case unavailable(temporary: Bool)
    }

    /// The configuration.
    public let configuration: Configuration
    /// Whether TLS is on.
    public private(set) var isTLSActive: Bool
    /// Whether the client has logged in.
    public private(set) var isAuthenticated = false
    /// The tag of an AUTHENTICATE waiting for the client's response.
    public private(set) var pendingAuthenticationTag: String?

    /// A connection's state; `overTLS` for an implicit-TLS port.
    public init(configuration: Configuration, overTLS: Bool) {
        self.configuration = configuration
        isTLSActive = overTLS
    }

    /// The capabilities to announce now.
    public var capabilities: IMAPCapabilities {
        IMAPCapabilities(
            offersSTARTTLS: configuration.offersSTARTTLS, isTLSActive: isTLSActive,
            allowsPlaintextAuthentication: configuration.allowsPlaintextAuthentication, isAuthenticated: isAuthenticated,
            nonSynchronizingLiterals: configuration.nonSynchronizingLiterals, appendLimit: configuration.appendLimit)
    }

    /// The greeting: `* OK [CAPABILITY ...] name ready`.
    public func greeting() -> [Action] {
        [.respond(.untagged(.condition(IMAPStatusResponse(status: .ok, code: .capability(capabilities.names), text: "\(configuration.serverName) ready"))))]
    }

    /// The answer to a client's command.
    public mutating func receive(_ command: IMAPCommand) -> [Action] {
        let tag = command.tag
        switch command.kind {
        case .capability:
            return [.respond(.untagged(.capability(capabilities.names))), ok(tag, "CAPABILITY completed")]
        case .logout:
            return [.respond(.untagged(.condition(IMAPStatusResponse(status: .bye, text: "Logging out")))), ok(tag, "LOGOUT completed"), .close]
        case .id:
            let fields = configuration.implementation.map { [IMAPIDField(name: "name", value: $0)] }
            return [.respond(.untagged(.id(fields))), ok(tag, "ID completed")]
        case .startTLS:
            if isAuthenticated { return [reply(tag, .bad, text: "STARTTLS is only valid before login")] }
            if isTLSActive { return [reply(tag, .bad, text: "TLS is already active")] }
            guard configuration.offersSTARTTLS else { return [reply(tag, .bad, text: "STARTTLS is not offered")] }
            return [ok(tag, "Begin TLS negotiation now"), .startTLS]
        case .login(let username, let password):
            if isAuthenticated { return [reply(tag, .bad, text: "Already logged in")] }
            guard capabilities.mayAuthenticate else {
                return [reply(tag, .no, code: .privacyRequired, text: "LOGIN is disabled before STARTTLS")]
            }
            guard let passwordText = String(validating: password.bytes, as: UTF8.self), !username.isEmpty, !passwordText.isEmpty,
                !passwordText.utf8.contains(0)
            else { return [reply(tag, .no, code: .authenticationFailed, text: "Authentication failed")] }
            return [.authenticate(tag: tag, credentials: MailAccessCredentials(login: username, password: passwordText))]
        case .authenticate(let mechanism, let initialResponse):
            if isAuthenticated { return [reply(tag, .bad, text: "Already logged in")] }
            guard mechanism == "PLAIN" else { return [reply(tag, .no, code: .cannot, text: "Unsupported authentication mechanism")] }
            guard capabilities.mayAuthenticate else {
                return [reply(tag, .no, code: .privacyRequired, text: "Authentication is disabled before STARTTLS")]
            }
            if let initialResponse { return plainResponse(initialResponse.bytes, tag: tag) }
            pendingAuthenticationTag = tag
            return [.respond(.continuation(.challenge([]))), .awaitAuthenticationResponse]
        case .noop where !isAuthenticated:
            return [ok(tag, "NOOP completed")]
        case .idle where isAuthenticated:
            return [.idle(tag: tag)]
        default:
            guard isAuthenticated else { return [reply(tag, .bad, text: "Log in first")] }
            return [.forward(command)]
        }
    }

    /// The answer to a command whose synchronising literal was just announced, when the
    /// command can only be refused whatever the literal holds: LOGIN or AUTHENTICATE while
    /// plaintext logins are refused or after login, any command but those before login.
    /// Nil when the continuation request may be sent. The client then sends no literal
    /// (RFC 9051 section 4.3).
    public func refusalBeforeLiteral(tag: String?, verb: String?) -> [Action]? {
        guard let tag, let verb else { return nil }
        switch verb {
        case "LOGIN", "AUTHENTICATE":
            if isAuthenticated { return [reply(tag, .bad, text: "Already logged in")] }
            guard capabilities.mayAuthenticate else {
                return [reply(tag, .no, code: .privacyRequired, text: "Logging in is disabled before STARTTLS")]
            }
            return nil
        case "ID", "CAPABILITY", "LOGOUT", "NOOP", "STARTTLS":
            return nil
        default:
            return isAuthenticated ? nil : [reply(tag, .bad, text: "Log in first")]
        }
    }

    /// The client's answer to the AUTHENTICATE challenge.
    public mutating func receive(authenticationResponse response: IMAPAuthenticationResponse) -> [Action] {
        guard let tag = pendingAuthenticationTag else { return [] }
        pendingAuthenticationTag = nil
        switch response {
        case .cancelled: return [reply(tag, .bad, text: "Authentication cancelled")]
        case .response(let secret): return plainResponse(secret.bytes, tag: tag)
        }
    }

    /// The client's answer to the AUTHENTICATE challenge was not base64.
    public mutating func authenticationResponseInvalid() -> [Action] {
        guard let tag = pendingAuthenticationTag else { return [] }
        pendingAuthenticationTag = nil
        return [reply(tag, .bad, text: "Invalid base64 response")]
    }

    /// The TLS handshake after STARTTLS succeeded.
    public mutating func tlsEstablished() { isTLSActive = true }

    /// The answer to a login attempt that ended with `outcome`.
    public mutating func authenticationFinished(tag: String, _ outcome: AuthenticationOutcome) -> [Action] {
        switch outcome {
        case .succeeded:
            isAuthenticated = true
            return [reply(tag, .ok, code: .capability(capabilities.names), text: "Logged in")]
        case .refused:
            return [reply(tag, .no, code: .authenticationFailed, text: "Authentication failed")]
        case .rateLimited:
            return [reply(tag, .no, code: .unavailable, text: "Too many failed logins, try again later")]
        case .tooManySessions:
            return [reply(tag, .no, code: .alert, text: "Too many sessions of this account are open, close one and try again")]
        case .unavailable(let temporary):
            return [reply(tag, .no, code: .unavailable, text: temporary ? "The mailbox cannot be opened now, try again later" : "The mailbox cannot be opened")]
        }
    }

    /// The server shuts down.
    public func shutDown() -> [Action] { bye("Server shutting down") }

    /// The client sent no command within the autologout time (RFC 9051 section 5.4).
    public func timedOut() -> [Action] { bye("Autologout; idle for too long") }

    /// The client did not log in within the server's login timeout
    /// (``IMAPServer/Configuration/loginTimeout``, counted from the connection, a server
    /// policy): it may not have been idle, so the BYE says why it really ends.
    public func loginTimedOut() -> [Action] { bye("Autologout; not logged in in time") }

    /// The client sent too many invalid commands in a row.
    public func tooManyBadCommands() -> [Action] { bye("Too many invalid commands") }

    /// The parser lost the command framing (a literal it will not read, an overlong line).
    public func framingLost() -> [Action] { bye("Cannot continue after that command") }

    /// A connection over the server's or the address's connection limit.
    public static func tooManyConnections() -> [UInt8] {
        IMAPResponseEncoder().encode(.untagged(.condition(IMAPStatusResponse(status: .bye, code: .unavailable, text: "Too many connections, try again later"))))
    }

    private mutating func plainResponse(_ bytes: [UInt8], tag: String) -> [Action] {
        switch SASLPlainMessage.credentials(from: bytes) {
        case .success(let credentials): return [.authenticate(tag: tag, credentials: credentials)]
        case .failure(.authorizationIdentityRefused):
            return [reply(tag, .no, code: .authorizationFailed, text: "Acting as another user is not supported")]
        case .failure: return [reply(tag, .no, code: .authenticationFailed, text: "Authentication failed")]
        }
    }

    private func bye(_ text: String) -> [Action] {
        [.respond(.untagged(.condition(IMAPStatusResponse(status: .bye, text: text)))), .close]
    }

    private func ok(_ tag: String, _ text: String) -> Action { reply(tag, .ok, text: text) }

    private func reply(_ tag: String, _ status: IMAPStatus, code: IMAPResponseCode? = nil, text: String) -> Action {
        .respond(.tagged(tag: tag, IMAPStatusResponse(status: status, code: code, text: text)))
    }
}
