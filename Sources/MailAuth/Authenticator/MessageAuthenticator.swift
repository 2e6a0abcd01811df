public import CommunityMailMessage
public import DNSVerify

/// Runs every check a receiver makes on one message: SPF on the envelope, DKIM on each
/// signature, ARC on the chain, and DMARC on the From domain with SPF's and DKIM's
/// evidence. SPF, DKIM and ARC run at the same time; DMARC follows them.
///
/// It only reports: what to do with a failing message (refuse, quarantine, forward) is
/// the caller's choice, made on ``AuthenticationReport/dmarc``'s disposition. A forwarder
/// uses it through MailForwarder's `MailAuthInboundAuthenticator`; `mail-auth verify` prints
/// its report.
public struct MessageAuthenticator: Sendable {
    /// The configuration of each check.
    public struct Configuration: Sendable {
        /// SPF's limits and receiving host name. Default: ``SPFVerifier/Configuration/init()``.
        public var spf = SPFVerifier.Configuration()
        /// DKIM's limits and accepted algorithms. Default: ``DKIMVerifier/Configuration/init()``.
        public var dkim = DKIMVerifier.Configuration()
        /// ARC's limits. Default: ``ARCVerifier/Configuration/init()``.
        public var arc = ARCVerifier.Configuration()
        /// DMARC's options (alignment roll, record limits). Default: ``DMARCEvaluator/Configuration/init()``.
        public var dmarc = DMARCEvaluator.Configuration()

        /// The defaults.
        public init() {}
    }

    private let spf: SPFVerifier
    private let dkim: DKIMVerifier
    private let arc: ARCVerifier
    private let dmarc: DMARCEvaluator

    /// An authenticator that looks everything up through `resolver` (DKIM and ARC keys
    /// too, unless `keySource` is given) and finds organisational domains with
    /// `publicSuffixList`.
    public init(
        resolver: any DNSResolver, publicSuffixList: PublicSuffixList, keySource: (any DKIMKeySource)? = nil,
        configuration: Configuration = Configuration()
    ) {
        let keys = keySource ?? DNSKeySource(resolver: resolver)
        spf = SPFVerifier(resolver: resolver, configuration: configuration.spf)
        dkim = DKIMVerifier(keySource: keys, configuration: configuration.dkim)
        arc = ARCVerifier(keySource: keys, configuration: configuration.arc)
        dmarc = DMARCEvaluator(resolver: resolver, publicSuffixList: publicSuffixList, configuration: configuration.dmarc)
    }

    /// Every check's result for `message`, received with `envelope`.
    public func authenticate(_ message: MailMessage, envelope: AuthenticationEnvelope) async -> AuthenticationReport {
        async let spfResult: SPFResult? = checkSPF(envelope)
        async let dkimResult = dkim.verify(message)
        async let arcResult = arc.verify(message)
        let (spfOutcome, dkimOutcome, arcOutcome) = await (spfResult, dkimResult, arcResult)
        let evidence = DMARCEvidence(
            spf: spfOutcome.map { result in
                DMARCEvidence.SPF(
                    domain: result.domain,
                    outcome: result.verdict == .pass ? .pass : result.verdict == .temperror ? .temporaryError : .other)
            },
            dkim: DMARCEvidence.DKIM(
                passingDomains: dkimOutcome.passingDomains, temporaryErrorDomains: dkimOutcome.results.filter { $0.status == .temperror }.compactMap(\.domain)))
        let dmarcResult = await dmarc.evaluate(header: message.header, evidence: evidence)
        return AuthenticationReport(spf: spfOutcome, dkim: dkimOutcome, arc: arcOutcome, dmarc: dmarcResult)
    }

    private func checkSPF(_ envelope: AuthenticationEnvelope) async -> SPFResult? {
        guard let address = envelope.clientAddress else { return nil }
        return await spf.checkMailFrom(clientAddress: address, mailFrom: envelope.mailFrom, helo: envelope.helo)
    }
}
