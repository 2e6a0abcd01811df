import CommunityMailSystem

/// The steps of a login that IMAP and POP3 share, around one ``LoginRateLimiter`` and one
/// ``MailAccessSessionTable``: reserve an attempt (counted as a failure before the slow
/// passphrase check, so parallel connections cannot each slip a guess past the limit), ask
/// the authenticator, forgive the attempt when it did not fail, count the member's session
/// in (and take the POP3 maildrop lock), let the protocol prepare what it needs from the
/// mailbox, and report each result as a ``MailAccessEvent``. Each protocol turns the
/// ``Outcome`` into its own reply.
struct MailAccessLogin {
    /// How an attempt ended.
    enum Outcome<Prepared> {
        /// Logged in: the member's lease (now counted in the session table) and what
        /// `prepare` made of it.
        case accepted(MailboxLease, Prepared)
        /// Wrong name or password (the failure delay has passed).
        case refused
        /// Not tried: too many failed logins lately from the address or for the name.
        case rateLimited
        /// The mailbox cannot be opened (or `prepare` failed: then `temporary`).
        case unavailable(temporary: Bool)
        /// Right credentials, but the member's session limit or the maildrop lock refused it.
        case sessionRefused(MailAccessSessionTable.Refusal)
    }

    let accessProtocol: MailAccessEvent.AccessProtocol
    let authenticator: any MailAccessAuthenticator
    let limiter: LoginRateLimiter
    let sessions: MailAccessSessionTable
    let limits: MailAccessLimits
    let events: (@Sendable (MailAccessEvent) -> Void)?

    /// Tries `credentials` from `client`. On success the session is counted in (with the
    /// maildrop lock when `locksMaildrop`) and the caller owns the lease and the session's
    /// place in the table; if `prepare` throws, both are given back and the outcome is
    /// `.unavailable(temporary: true)`.
    func attempt<Prepared>(
        _ credentials: MailAccessCredentials, from client: InternetAddress?, overTLS: Bool, locksMaildrop: Bool,
        prepare: (MailboxLease) async throws -> Prepared
    ) async -> Outcome<Prepared> {
        func report(_ result: MailAccessEvent.LoginResult) { events?(.login(accessProtocol, result, overTLS: overTLS)) }
        guard let reservation = limiter.reserveAttempt(login: credentials.login, from: client) else {
            report(.rateLimited)
            return .rateLimited
        }
        switch await authenticator.authenticate(credentials) {
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
            if let refusal = sessions.addSession(userID: lease.userID, locksMaildrop: locksMaildrop, limits: limits) {
                await lease.release()
                report(.sessionRefused)
                return .sessionRefused(refusal)
            }
            do {
                let prepared = try await prepare(lease)
                report(.succeeded)
                return .accepted(lease, prepared)
            } catch {
                sessions.removeSession(userID: lease.userID, locksMaildrop: locksMaildrop)
                await lease.release()
                report(.mailboxUnavailable)
                return .unavailable(temporary: true)
            }
        }
    }
}
