import CommunityMailSystem

extension IMAPConnection {
    /// Logs in through ``MailAccessLogin`` (rate limits, credentials, the member's session
    /// limit); on success keeps the lease and starts the member's ``IMAPSession``.
    mutating func authenticate(_ credentials: MailAccessCredentials) async -> IMAPConnectionState.AuthenticationOutcome {
        var sessionConfiguration = configuration.session
        // What APPENDLIMIT announces is what the parser takes.
        sessionConfiguration.maximumAppendSize = configuration.parser.maximumAppendSize
        let outcome = await lifecycle.login.attempt(credentials, from: lifecycle.client, overTLS: state.isTLSActive, locksMaildrop: Self.locksMaildrop) { lease in
            IMAPSession(mailbox: lease.mailbox, configuration: sessionConfiguration)
        }
        switch outcome {
        case .accepted(let lease, let session):
            self.lease = lease
            self.session = session
            return .succeeded
        case .refused: return .refused
        case .rateLimited: return .rateLimited
        case .unavailable(let temporary): return .unavailable(temporary: temporary)
        case .sessionRefused: return .tooManySessions
        }
    }
}
