import CommunityMailSMTP

extension DirectMXRelay {
    /// The replies the relay gives for what it decides itself. Their texts name no domain
    /// or address: a DATA reply must not tell the sender where an alias leads.
    enum Replies {
        /// The domain does not exist (NXDOMAIN).
        static let noSuchDomain = SMTPReply(code: 550, enhancedStatusCode: "5.1.2", text: "The recipient's domain does not exist")
        /// An address without a usable domain (or a domain literal).
        static let badDestination = SMTPReply(code: 550, enhancedStatusCode: "5.1.2", text: "The recipient's domain cannot be delivered to")
        /// RFC 7505 null MX.
        static let nullMX = SMTPReply(code: 556, enhancedStatusCode: "5.1.10", text: "The recipient's domain accepts no mail (null MX)")
        /// No MX host with a usable address, or a CNAME loop.
        static let noRoute = SMTPReply(code: 550, enhancedStatusCode: "5.4.4", text: "No mail exchanger of the recipient's domain can be reached")
        /// DNS did not answer.
        static let dnsDeferred = SMTPReply(code: 451, enhancedStatusCode: "4.4.3", text: "The recipient's domain could not be looked up, try again later")
        /// The MX list leads back to us.
        static let loop = SMTPReply(code: 554, enhancedStatusCode: "5.4.6", text: "The recipient's mail exchanger is this server (mail loop)")
        /// STARTTLS is required and the MX did not offer it (or refused it).
        static let tlsNotOffered = SMTPReply(code: 451, enhancedStatusCode: "4.7.4", text: "TLS is required but the mail exchanger does not offer it")
        /// STARTTLS is required and the handshake failed (the certificate did not verify, or
        /// no common version).
        static let tlsFailed = SMTPReply(code: 451, enhancedStatusCode: "4.7.5", text: "TLS with the mail exchanger failed (certificate not verified)")
        /// The message's delivery took longer than ``Configuration/deliveryTimeout`` (the
        /// domain was cut, or never started).
        static let expired = SMTPReply(code: 451, enhancedStatusCode: "4.4.7", text: "Delivery took too long, try again later")
        /// The delivery task was cancelled before it answered.
        static let cancelled = SMTPReply(code: 451, enhancedStatusCode: "4.4.0", text: "Delivery was interrupted, try again later")
    }

    /// A session refusal (a 5xx greeting or EHLO) as the deferral it stands for: 451 with
    /// the refusal's detail in a 4.x.x code.
    static func deferral(for refusal: SMTPReply) -> SMTPReply {
        let enhanced = refusal.enhancedStatusCode.flatMap { SMTPEnhancedStatusCode(statusClass: 4, subject: $0.subject, detail: $0.detail) }
            ?? "4.0.0"
        return SMTPReply(code: 451, enhancedStatusCode: enhanced, text: "The recipient's mail exchanger refused the session, try again later")
    }

    /// The reply that stands for a failed attempt: TLS failures in their own codes, the
    /// rest as ``SmarthostRelay`` maps them (the MX's codes for a refusal, 451 for what may
    /// pass).
    static func reply(for error: SMTPError) -> SMTPReply {
        switch error {
        case .tlsUnavailable: Replies.tlsNotOffered
        case .tlsFailed: Replies.tlsFailed
        default: SmarthostRelay.reply(for: error)
        }
    }
}
