import CommunityMailSMTP
import CommunityMailSystem
import DNSVerify

extension DirectMXRelay {
    /// What one attempt at one address came to.
    struct AttemptOutcome: Sendable {
        /// How far the MX got with us.
        enum Kind: Sendable {
            /// A transaction (or a refusal of MAIL): `replies` are the MX's, per recipient.
            case answered
            /// The MX refused the session (its greeting, or EHLO and HELO): not an answer
            /// about the message, so the next address is tried even for a 5xx.
            case refusedSession
            /// No SMTP reply at all: no connection, a timeout, a TLS failure.
            case unanswered
        }

        var kind: Kind
        /// A reply per recipient of the attempt.
        var replies: [SMTPReply]
    }

    /// ``deliver(_:to:in:)`` cancelled at `deadline` (the message's, shared by its domains):
    /// recipients it had not finished with then get 451 4.4.7.
    func deliver(_ message: SMTPMessage, to recipients: [String], in domain: DNSName, until deadline: ContinuousClock.Instant) async
        -> [SMTPReply] {
        await withTaskGroup(of: [SMTPReply]?.self) { group in
            group.addTask { await deliver(message, to: recipients, in: domain) }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            var expired = false
            while let finished = await group.next() {
                guard let replies = finished else {
                    // The timer ended first (or was cancelled with us): stop the delivery and
                    // wait for what it has.
                    expired = !Task.isCancelled
                    group.cancelAll()
                    continue
                }
                group.cancelAll()
                return expired ? replies.map { $0.isPositive || $0.isPermanentFailure ? $0 : Replies.expired } : replies
            }
            return Array(repeating: Replies.cancelled, count: recipients.count)
        }
    }

    /// Delivers `message` to `recipients` (all in `domain`; the message's own recipients are
    /// replaced): MX hosts in order, each host's addresses in order, until every recipient
    /// has a final reply (accepted or refused for good), ``Configuration/maximumAttempts``
    /// addresses were tried or ``Configuration/maximumExchangers`` hosts were looked up.
    /// Recipients still without a final reply get the last deferral from an MX that
    /// answered, else a 5xx session refusal (no other address answered), else the last
    /// failure to reach one.
    func deliver(_ message: SMTPMessage, to recipients: [String], in domain: DNSName) async -> [SMTPReply] {
        let exchangers: [MailExchanger]
        switch await route(to: domain) {
        case .final(let reply): return Array(repeating: reply, count: recipients.count)
        case .exchangers(let found): exchangers = found
        }
        var replies = [SMTPReply?](repeating: nil, count: recipients.count)
        var answeredDeferral: SMTPReply?
        var sessionRefusal: SMTPReply?
        var unanswered: SMTPReply?
        var lookupWasTransient = false
        var attempts = 0
        let attemptLimit = max(1, configuration.maximumAttempts)
        hosts: for exchanger in exchangers.prefix(max(1, configuration.maximumExchangers)) {
            guard attempts < attemptLimit, !Task.isCancelled else { break }
            let lookup = await addresses(of: exchanger.name, atMost: attemptLimit - attempts)
            lookupWasTransient = lookupWasTransient || lookup.wasTransient
            for address in lookup.addresses {
                guard attempts < attemptLimit, !Task.isCancelled else { break hosts }
                attempts += 1
                let pending = replies.indices.filter { replies[$0] == nil }
                let outcome = await attempt(message, to: pending.map { recipients[$0] }, at: address, host: exchanger.name)
                switch outcome.kind {
                case .unanswered:
                    unanswered = outcome.replies.first
                case .refusedSession:
                    // A host that will not talk to us (a 5xx greeting or EHLO) says nothing
                    // about the recipients: another MX may take them, and if none does they
                    // are deferred, as Postfix's smtp_skip_5xx_greeting does.
                    if let reply = outcome.replies.first {
                        if reply.isPermanentFailure { sessionRefusal = Self.deferral(for: reply) } else { answeredDeferral = reply }
                    }
                case .answered:
                    for (index, answer) in zip(pending, outcome.replies) {
                        if answer.isPositive || answer.isPermanentFailure {
                            replies[index] = answer
                        } else {
                            answeredDeferral = answer
                        }
                    }
                }
                if !replies.contains(nil) { break hosts }
            }
        }
        // Cancelled before an MX answered: the sender must try again, not hear "no route".
        let fallback = answeredDeferral ?? sessionRefusal ?? unanswered
            ?? (Task.isCancelled ? Replies.cancelled : lookupWasTransient ? Replies.dnsDeferred : Replies.noRoute)
        return replies.map { $0 ?? fallback }
    }

    /// One attempt at one MX address. With opportunistic TLS, STARTTLS encrypts without
    /// checking the certificate (RFC 7435), and a handshake that fails or a STARTTLS the MX
    /// refuses is followed by a plaintext attempt at the same address.
    func attempt(_ message: SMTPMessage, to recipients: [String], at address: InternetAddress, host: DNSName) async
        -> AttemptOutcome {
        let addressed: SMTPMessage
        do {
            addressed = try message.addressed(to: recipients)
        } catch {
            return AttemptOutcome(kind: .answered, replies: Array(repeating: Self.reply(for: error), count: recipients.count))
        }
        var tls = SMTPClient.TLSOptions(
            serverName: host.text, trustedCertificateAuthorityFile: configuration.tls.trustedCertificateAuthorityFile)
        tls.minimumVersion = configuration.tls.minimumVersion
        let required = configuration.tlsPolicy == .required
        tls.verifiesCertificate = required
        do {
            return AttemptOutcome(kind: .answered, replies: try await transmit(addressed, to: address, security: .startTLS(required: required), tls: tls))
        } catch where !required && (error == .tlsFailed || error == .tlsUnavailable) {
            do {
                return AttemptOutcome(kind: .answered, replies: try await transmit(addressed, to: address, security: .plain, tls: tls))
            } catch {
                return Self.failedAttempt(error, recipients: recipients.count)
            }
        } catch {
            return Self.failedAttempt(error, recipients: recipients.count)
        }
    }

    /// An attempt that ended with `error`: its reply for every recipient, and whether the MX
    /// answered at all.
    static func failedAttempt(_ error: SMTPError, recipients: Int) -> AttemptOutcome {
        // A missing extension (SIZE, 8BITMIME, SMTPUTF8) is the MX's answer, not silence.
        let answered = error.replyCode != nil || error == .extensionUnavailable
        let kind: AttemptOutcome.Kind = error.refusedSession ? .refusedSession : answered ? .answered : .unanswered
        return AttemptOutcome(kind: kind, replies: Array(repeating: reply(for: error), count: recipients))
    }

    /// One SMTP transaction with one address: a reply per recipient (a refused RCPT keeps
    /// its refusal, the others get the DATA reply), so one recipient the MX refuses does not
    /// fail the rest.
    private func transmit(
        _ message: SMTPMessage, to address: InternetAddress, security: SMTPClient.ConnectionSecurity, tls: SMTPClient.TLSOptions
    ) async throws(SMTPError) -> [SMTPReply] {
        try await client.deliver(message, to: address.description, port: configuration.port, security: security, tls: tls).replies
    }
}
