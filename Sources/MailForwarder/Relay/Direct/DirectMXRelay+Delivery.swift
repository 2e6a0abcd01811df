import CommunityMailSMTP
import CommunityMailSystem
import DNSVerify

extension DirectMXRelay {
    /// ``deliver(_:to:in:)`` cancelled after ``Configuration/deliveryTimeout``: recipients
    /// it had not finished with then get 451 4.4.7.
    func deliverWithinTimeout(_ envelope: RelayEnvelope, to recipients: [String], in domain: DNSName) async -> [SMTPReply] {
        let timeout = configuration.deliveryTimeout
        return await withTaskGroup(of: [SMTPReply]?.self) { group in
            group.addTask { await deliver(envelope, to: recipients, in: domain) }
            group.addTask {
                try? await Task.sleep(for: timeout)
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

    /// Delivers `envelope` to `recipients` (all in `domain`): MX hosts in order, each host's
    /// addresses in order, until every recipient has a final reply (accepted or refused
    /// for good), ``Configuration/maximumAttempts`` addresses were tried or
    /// ``Configuration/maximumExchangers`` hosts were looked up. Recipients
    /// still deferred get the last deferral.
    func deliver(_ envelope: RelayEnvelope, to recipients: [String], in domain: DNSName) async -> [SMTPReply] {
        let exchangers: [MailExchanger]
        switch await route(to: domain) {
        case .final(let reply): return Array(repeating: reply, count: recipients.count)
        case .exchangers(let found): exchangers = found
        }
        var replies = [SMTPReply?](repeating: nil, count: recipients.count)
        var lastDeferral: SMTPReply?
        var lookupWasTransient = false
        var attempts = 0
        let attemptLimit = max(1, configuration.maximumAttempts)
        hosts: for exchanger in exchangers.prefix(max(1, configuration.maximumExchangers)) {
            guard attempts < attemptLimit, !Task.isCancelled else { break }
            let lookup = await addresses(of: exchanger.name)
            lookupWasTransient = lookupWasTransient || lookup.wasTransient
            for address in lookup.addresses {
                guard attempts < attemptLimit, !Task.isCancelled else { break hosts }
                attempts += 1
                let pending = replies.indices.filter { replies[$0] == nil }
                let answers = await attempt(envelope, to: pending.map { recipients[$0] }, at: address, host: exchanger.name)
                for (index, answer) in zip(pending, answers) {
                    if answer.isPositive || answer.isPermanentFailure {
                        replies[index] = answer
                    } else {
                        lastDeferral = answer
                    }
                }
                if !replies.contains(nil) { break hosts }
            }
        }
        // Cancelled before an MX answered: the sender must try again, not hear "no route".
        let fallback = lastDeferral ?? (Task.isCancelled ? Replies.cancelled : lookupWasTransient ? Replies.dnsDeferred : Replies.noRoute)
        return replies.map { $0 ?? fallback }
    }

    /// One attempt at one MX address: a reply per recipient. With opportunistic TLS, a
    /// failed STARTTLS is followed by a plaintext attempt at the same address.
    func attempt(_ envelope: RelayEnvelope, to recipients: [String], at address: InternetAddress, host: DNSName) async
        -> [SMTPReply] {
        let message: SMTPMessage
        do {
            message = try SMTPMessage(sender: envelope.sender, recipients: recipients, content: envelope.content)
        } catch {
            return Array(repeating: Self.reply(for: error), count: recipients.count)
        }
        var tls = SMTPClient.TLSOptions(
            serverName: host.text, trustedCertificateAuthorityFile: configuration.tls.trustedCertificateAuthorityFile)
        tls.minimumVersion = configuration.tls.minimumVersion
        let required = configuration.tlsPolicy == .required
        do {
            return try await transmit(message, to: address, security: .startTLS(required: required), tls: tls)
        } catch where !required && (error == .tlsFailed || error == .tlsUnavailable) {
            do {
                return try await transmit(message, to: address, security: .plain, tls: tls)
            } catch {
                return Array(repeating: Self.reply(for: error), count: recipients.count)
            }
        } catch {
            return Array(repeating: Self.reply(for: error), count: recipients.count)
        }
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
