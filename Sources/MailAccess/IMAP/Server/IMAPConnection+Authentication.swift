import CommunityMailSystem

extension IMAPConnection {
    /// Checks the rate limits, the credentials and the member's session limit; on success
    /// keeps the lease and starts the member's ``IMAPSession``.
    mutating func authenticate(_ credentials: MailAccessCredentials) async -> IMAPConnectionState.AuthenticationOutcome {
        let limiter = configuration.loginRateLimiter
        let overTLS = state.isTLSActive
        let events = configuration.events
        func report(_ result: MailAccessEvent.LoginResult) { events?(.login(.imap, result, overTLS: overTLS)) }
        // Counted before the slow check, so parallel connections cannot each slip a guess in.
        guard let reservation = limiter.reserveAttempt(login: credentials.login, from: client) else {
            report(.rateLimited)
            return .rateLimited
        }
        switch await server.authenticator.authenticate(credentials) {
        case .refused:
            report(.refused)
            try? await Task.sleep(for: limiter.configuration.failureDelay)
            return .refused
        case .unavailable(let temporary):
            limiter.forgive(reservation)
            report(.mailboxUnavailable)
            return .unavailable(temporary: temporary)
        case .accepted(let lease):
            limiter.forgive(reservation)
            limiter.recordSuccess(login: credentials.login)
            if configuration.sessions.addSession(userID: lease.userID, locksMaildrop: false, limits: limits) != nil {
                await lease.release()
                report(.sessionRefused)
                return .tooManySessions
            }
            self.lease = lease
            var sessionConfiguration = configuration.session
            // What APPENDLIMIT announces is what the parser takes.
            sessionConfiguration.maximumAppendSize = configuration.parser.maximumAppendSize
            session = IMAPSession(mailbox: lease.mailbox, configuration: sessionConfiguration)
            report(.succeeded)
            return .succeeded
        }
    }
}
