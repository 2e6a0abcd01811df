public import CommunityMailSMTP

extension DirectMXRelay {
    /// How the relay talks to the recipients' mail exchangers.
    public struct Configuration: Sendable {
        /// Whether STARTTLS is used when an MX offers it, or required.
        public enum TLSPolicy: Sendable, Hashable {
            /// STARTTLS when the MX offers it, plaintext when it does not. Not authenticated:
            /// whoever sits on the path can remove the STARTTLS announcement, and a
            /// handshake that fails (a certificate that does not verify against
            /// ``Configuration/tls``, no common version) is followed by a second,
            /// plaintext connection to the same address, as an MTA's opportunistic mode
            /// does. It protects against passive eavesdropping only.
            case opportunistic
            /// STARTTLS with a certificate that verifies for the MX host's name: an MX
            /// without STARTTLS (451 4.7.4) or with a certificate that does not verify
            /// (451 4.7.5) gets nothing, and the next MX is tried.
            case required
        }

        /// The name we greet with (EHLO), our MX's host name. Also a member of
        /// ``localNames``.
        public var heloName: String
        /// Names that are this forwarder: an MX list that names one of them is truncated
        /// to the hosts preferred to us (RFC 5321 section 5.1), and a loop when none is
        /// left. Default: ``heloName``.
        public var localNames: Set<String>
        /// The port every MX is connected on. Default: 25 (tests use a loopback port).
        public var port: UInt16 = 25
        /// Opportunistic or required TLS. Default: ``TLSPolicy/opportunistic``.
        public var tlsPolicy: TLSPolicy = .opportunistic
        /// The authorities an MX's certificate is verified against (`serverName` is
        /// always the MX host's name and is ignored here). Default: the system's.
        public var tls = SMTPClient.TLSOptions()
        /// Whether MX addresses on private networks (loopback, RFC 1918, ULA, link-local)
        /// are connected to. Default: false: a domain whose MX points inside our network
        /// must not make the forwarder a door into it (such hosts are skipped; none left
        /// is 550 5.4.4). Multicast, unspecified and documentation addresses are never used.
        public var allowsPrivateAddresses = false
        /// How many addresses (over all MX hosts) one domain's delivery tries at most.
        /// Default: 5 (Postfix's `smtp_mx_address_limit`).
        public var maximumAttempts = 5
        /// How many MX hosts of one domain are looked up at most (the most preferred; a
        /// hostile zone may list thousands whose names lead nowhere). Default: 10.
        public var maximumExchangers = 10
        /// How long one domain's delivery may take, all MX hosts and attempts included;
        /// then it is cancelled and its recipients still waiting get 451 4.4.7. The sending
        /// MTA waits 10 minutes for its DATA reply (RFC 5321 section 4.5.3.2.6): a delivery
        /// that outlasted it would be made again on the sender's retry. Default: 5 minutes.
        public var deliveryTimeout: Duration = .seconds(300)
        /// How many domains of one message are delivered at the same time. Default: 8.
        public var maximumConcurrentDomains = 8
        /// The SMTP client's timeouts, pipelining and reply limits (its `heloName` is
        /// replaced by ``heloName``). Default: the client's defaults (RFC 5321's timeouts).
        public var client = SMTPClient.Configuration()

        /// A configuration greeting as `heloName`; the rest takes the defaults.
        public init(heloName: String) {
            self.heloName = heloName
            self.localNames = [heloName]
        }
    }
}
