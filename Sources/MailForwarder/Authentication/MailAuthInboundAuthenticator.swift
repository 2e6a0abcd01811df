public import CommunityMailSMTP
import CommunityMailMessage
import CommunityMailSystem
import DNSVerify
public import MailAuth

/// The forwarder's real ``InboundAuthenticator``: SPF, DKIM, ARC and DMARC through
/// MailAuth's ``MessageAuthenticator``, then our Authentication-Results field and, with a
/// sealer, an ARC set over the message, so the member's provider can trust what we found
/// even though forwarding broke SPF (RFC 8617).
///
/// A message whose From domain publishes `p=reject` and fails DMARC is refused with 550
/// 5.7.1 (after `pct`), unless its From domain is one of
/// ``Configuration/rejectExemptDomains``. `quarantine` cannot be honoured by a forwarder
/// that keeps nothing: such a message is forwarded, its Authentication-Results saying
/// `dmarc=fail`, for the member's provider to file. A temporary DNS failure never refuses.
public struct MailAuthInboundAuthenticator: InboundAuthenticator {
    /// Our name in the results, and which failures are refused.
    public struct Configuration: Sendable {
        /// The authserv-id of our Authentication-Results and ARC-Authentication-Results
        /// (RFC 8601 section 2.5): the MX's host name.
        public var authservID: String
        /// From domains (each with its subdomains) whose DMARC `p=reject` failures are
        /// forwarded anyway: domains that relay through their own servers in ways that
        /// break alignment (Forward Email makes this exception for the Ubuntu domains).
        /// Default: none.
        public var rejectExemptDomains: [String] = []
        /// Whether a `p=reject` failure is refused at all; false only reports it.
        /// Default: true.
        public var enforcesReject = true
        /// Whether a message with several From fields, or one From field naming several
        /// authors, is refused (550 5.7.1). DMARC cannot evaluate such a message (RFC 7489
        /// section 6.6.1), and mail clients show one of the authors: the shape a spoofer
        /// uses to slip a `p=reject` domain past DMARC. Default: true.
        public var refusesAmbiguousAuthors = true

        /// A configuration that signs results as `authservID`.
        public init(authservID: String) { self.authservID = authservID }
    }

    /// The reply to a message whose author DMARC cannot tell (several From fields or addresses).
    public static let ambiguousAuthorRejection = SMTPReply(
        code: 550, enhancedStatusCode: "5.7.1", text: "The message must have one From field with one author")

    /// The reply to a message the From domain's DMARC policy rejects (RFC 7489 section 6.6.4).
    public static let dmarcRejection = SMTPReply(
        code: 550, enhancedStatusCode: "5.7.1", text: "Rejected by the DMARC policy of the From domain")

    private let authenticator: MessageAuthenticator
    private let sealer: ARCSealer?
    private let configuration: Configuration
    private let exemptDomains: [String]

    /// An authenticator that checks with `authenticator` and seals with `sealer` (nil: no
    /// ARC set is added).
    public init(authenticator: MessageAuthenticator, sealer: ARCSealer?, configuration: Configuration) {
        self.authenticator = authenticator
        self.sealer = sealer
        self.configuration = configuration
        exemptDomains = configuration.rejectExemptDomains.map { $0.lowercased().trimmingDot }
    }

    /// Checks `message`; refuses it when its DMARC policy says reject, otherwise returns our
    /// Authentication-Results (and ARC set) to prepend.
    public func authenticate(_ message: InboundMessage) async -> InboundVerdict {
        let mail = MailMessage(message.content)
        let address = message.clientAddress.flatMap { try? DNSAddress(bytes: $0.bytes) }
        var report = await authenticator.authenticate(
            mail, envelope: AuthenticationEnvelope(clientAddress: address, helo: message.heloName, mailFrom: message.sender))
        if configuration.refusesAmbiguousAuthors {
            switch report.dmarc.fromDomain {
            case .multipleFields, .multipleAddresses: return .refuse(Self.ambiguousAuthorRejection, summary: report.summary)
            default: break
            }
        }
        if report.dmarc.disposition == .reject {
            if configuration.enforcesReject, !isExempt(report.dmarc.fromDomain.domain) {
                return .refuse(Self.dmarcRejection, summary: report.summary)
            }
            // Forwarded after all: our results must not claim a rejection we did not apply.
            report.dmarc.disposition = .none
        }
        // RFC 8601 section 5: fields in our name that we did not write are forged or stale;
        // they go before the message is sealed and forwarded (the checks above read the
        // bytes as they came, which is what any DKIM signature covers).
        let forwarded = AuthenticationResults.removingFieldsClaiming(configuration.authservID, from: message.content)
        let results = report.authenticationResults(authservID: configuration.authservID)
        var fields = results.fieldBytes()
        var summary = report.summary
        // No seal over a chain that failed only because a key could not be fetched now (our
        // cv=fail would be final for every later hop), nor on top of a chain an earlier
        // sealer already marked failed (RFC 8617 section 5.1.2 ends it there).
        var sealable = !report.arc.isTemporaryFailure
        if case .chainMarkedFailed = report.arc.failure { sealable = false }
        if sealer != nil, !sealable { summary += " arc-seal=skipped" }
        if let sealer, sealable {
            do {
                let set = try sealer.seal(
                    MailMessage(fields + forwarded), authenticationResults: results.resultsText(),
                    chainValidation: report.arc.chainValidation)
                fields = set.headerBytes + fields
            } catch {
                // A message we cannot seal (no From field, 50 sets already) still goes on,
                // with our results: sealing is for the receiver's benefit, not a gate.
                summary += " arc-seal=failed"
            }
        }
        return .forward(prepending: fields, replacing: forwarded.count == message.content.count ? nil : forwarded, summary: summary)
    }

    private func isExempt(_ domain: String?) -> Bool {
        guard let domain = domain?.lowercased().trimmingDot else { return false }
        return exemptDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }
}

extension String {
    fileprivate var trimmingDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
