/// Checks that a domain is set up for the service: ownership TXT, MX, SPF, DMARC, and
/// optionally DKIM and the return-path CNAME.
///
/// Each check passes, fails with a message that says what to change, or is
/// indeterminate when DNS did not answer reliably: a transient failure never fails a check.
public struct DomainVerifier: Sendable {
    /// What the verifier expects to find.
    public struct Configuration: Sendable, Hashable {
        /// The start of the ownership TXT record; the token follows it.
        /// Default: `forward-email-site-verification=`.
        public var verificationPrefix = "forward-email-site-verification="
        /// The MX exchanges the domain must use, and only those.
        /// Default: `mx1.forwardemail.net`, `mx2.forwardemail.net`.
        public var mailExchanges = ["mx1.forwardemail.net", "mx2.forwardemail.net"]
        /// The domain the SPF record must `include:`. Default: `spf.forwardemail.net`.
        public var spfInclude = "spf.forwardemail.net"
        /// The DKIM selector and public key to check, or nil to skip DKIM. Default: nil.
        public var dkim: DKIMExpectation?
        /// The return-path name and the target its CNAME must have, or nil to skip.
        /// Default: nil.
        public var returnPath: ReturnPathExpectation?

        /// The defaults above.
        public init() {}
    }

    /// A DKIM key to find at `<selector>._domainkey.<domain>`.
    public struct DKIMExpectation: Sendable, Hashable {
        /// The selector (`default`, `fe-2024`).
        public var selector: String
        /// The public key: the base64 of the `p=` tag, or a whole `v=DKIM1; ... p=...` record.
        public var publicKey: String
        /// An expectation from a selector and key.
        public init(selector: String, publicKey: String) {
            self.selector = selector
            self.publicKey = publicKey
        }
    }

    /// A return-path (bounce) name that must be a CNAME of `target`.
    public struct ReturnPathExpectation: Sendable, Hashable {
        /// The name: a label under the domain (`fe-bounces`) or a full name inside it.
        public var name: String
        /// The CNAME target. Default: `forwardemail.net`.
        public var target: String
        /// An expectation from a name and target.
        public init(name: String, target: String = "forwardemail.net") {
            self.name = name
            self.target = target
        }
    }

    /// The resolver the checks ask.
    public let resolver: any DNSResolver
    /// What the checks expect.
    public let configuration: Configuration

    /// A verifier asking `resolver`.
    public init(resolver: any DNSResolver, configuration: Configuration = Configuration()) {
        self.resolver = resolver
        self.configuration = configuration
    }

    /// Runs every check: verification, MX, SPF and DMARC always; DKIM and return-path
    /// when configured. The checks run concurrently.
    /// - Throws: ``DNSError/invalidName`` when `domain` is not a valid domain name, or
    ///   ``DNSError/invalidConfiguration`` for an empty token.
    public func verify(domain: String, token: String) async throws(DNSError) -> DomainReport {
        let name = try DNSName(domain)
        guard !token.isEmpty else { throw DNSError.invalidConfiguration.with(message: "the verification token is empty") }
        async let verification = checkVerification(domain: name, token: token)
        async let mx = checkMailExchanges(domain: name)
        async let spf = checkSPF(domain: name)
        async let dmarc = checkDMARC(domain: name)
        var checks = await [verification, mx, spf, dmarc]
        if let dkim = configuration.dkim { checks.append(await checkDKIM(domain: name, expectation: dkim)) }
        if let returnPath = configuration.returnPath { checks.append(await checkReturnPath(domain: name, expectation: returnPath)) }
        return DomainReport(domain: name.text, checks: checks)
    }
}
