public import CommunityMailSMTP

extension DirectMXRelay {
    /// How the relay talks to the recipients' mail exchangers.
    public struct Configuration: Sendable {
        /// Whether STARTTLS is used when an MX offers it, or required.
        public enum TLSPolicy: Sendable, Hashable {
            /// STARTTLS when the MX offers it, plaintext when it does not (RFC 7435
            /// opportunistic security, Postfix's `smtp_tls_security_level = may`). The
            /// certificate is not checked (self-signed, expired or for another name, the
            /// session is still encrypted): MX certificates often do not verify, and the
            /// alternative is plaintext. A STARTTLS the MX refuses or a handshake that fails
            /// (no common version) is followed by a second, plaintext connection to the same
            /// address. It protects against passive eavesdropping only: whoever sits on the
            /// path can remove the STARTTLS announcement or present its own certificate.
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
        /// left. Default: ``heloName``. Only names are compared, not addresses: list every
        /// public name of this MX, or an MX record naming an alias of ours is a loop that
        /// ends only at the sender's Received limit. A name that is not a DNS name makes
        /// ``DirectMXRelay/init(configuration:resolver:)`` throw.
        public var localNames: Set<String>
        /// The port every MX is connected on. Default: 25 (tests use a loopback port).
        public var port: UInt16 = 25
        /// Opportunistic or required TLS. Default: ``TLSPolicy/opportunistic``.
        public var tlsPolicy: TLSPolicy = .opportunistic
        /// The authorities an MX's certificate is verified against with
        /// ``TLSPolicy/required`` (`serverName` is always the MX host's name, and
        /// `verifiesCertificate` follows ``tlsPolicy``: both are ignored here). Default: the
        /// system's.
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
        /// How long one message's delivery may take, counted from the start of
        /// ``DirectMXRelay/relay(_:)``: every domain, MX host and attempt included. At that
        /// moment running deliveries are cancelled and their recipients still waiting get
        /// 451 4.4.7; domains still waiting for a turn (beyond
        /// ``maximumConcurrentDomains``) are not started and get 451 4.4.7 too. The sending
        /// MTA waits 10 minutes for its DATA reply (RFC 5321 section 4.5.3.2.6): the reply
        /// must come before that, or the sender retries while deliveries may still succeed.
        /// The cut can fall after an MX received the final dot and before it replied: the
        /// MX may still accept, and the sender's retry then delivers a duplicate (RFC 1047).
        /// Default: 5 minutes.
        public var deliveryTimeout: Duration = .seconds(300)
        /// How many domains of one message are delivered at the same time; the rest wait
        /// for a turn within the same ``deliveryTimeout``. Per message only: there is no
        /// limit across messages or per destination (see MailForwarder.md). Default: 8.
        public var maximumConcurrentDomains = 8
        /// The SMTP client's timeouts, pipelining and reply limits (its `heloName` is
        /// replaced by ``heloName``; its credentials are dropped: an MX is never sent a
        /// password). Default: the client's defaults (RFC 5321's timeouts).
        public var client = SMTPClient.Configuration()

        /// A configuration greeting as `heloName`; the rest takes the defaults.
        public init(heloName: String) {
            self.heloName = heloName
            self.localNames = [heloName]
        }
    }
}
