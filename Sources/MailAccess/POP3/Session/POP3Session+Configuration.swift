extension POP3Session {
    /// What a session offers and how much it tolerates.
    public struct Configuration: Sendable {
        /// The name in the greeting (`+OK <name> POP3 ready`). Default: `localhost`.
        public var serverName: String
        /// Whether STLS is offered (the server has a certificate). Default: false.
        public var offersSTLS = false
        /// Whether USER/PASS and AUTH PLAIN are accepted before TLS. Default: false (RFC
        /// 2595: a password only over TLS). A host may turn it on for loopback clients;
        /// CAPA then lists USER and SASL PLAIN before STLS too.
        public var allowsPlaintextAuthentication = false
        /// The longest command line, CRLF included, and the longest SASL response line.
        /// Default: 1,024 (RFC 2449 allows 255 octets per command; AUTH PLAIN with a long
        /// password needs more).
        public var maximumLineLength = 1_024
        /// Unknown or malformed commands tolerated before the session is closed. Default: 20.
        public var maximumBadCommands = 20
        /// The IMPLEMENTATION line of CAPA (RFC 2449), nil for none. Default: nil.
        public var implementation: String?

        /// The defaults, with `serverName` in the greeting.
        public init(serverName: String = "localhost") { self.serverName = serverName }
    }
}
