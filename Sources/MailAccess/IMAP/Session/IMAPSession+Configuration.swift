extension IMAPSession {
    /// How a session reads the mailbox and what it announces.
    public struct Configuration: Sendable {
        /// Messages read from the mailbox per call while a FETCH needs their header or
        /// body: bounds the memory one command holds at once. Default: 128.
        public var fetchBatchSize = 128
        /// Messages read per call when only metadata is needed (flags, UIDs, sizes, dates:
        /// `UID FETCH 1:* (FLAGS)`, STORE's answers, STATUS SIZE). Default: 2,000.
        public var metadataBatchSize = 2_000
        /// The largest message APPEND takes, reported as STATUS APPENDLIMIT when the
        /// mailbox's quota sets no smaller one (RFC 7889). Keep it equal to the parser's
        /// `maximumAppendSize`. Default: 50 MiB.
        public var maximumAppendSize = 50 * 1024 * 1024
        /// Distinct patterns one LIST may carry (RFC 5258 allows a list); more is
        /// `BAD [LIMIT]`, so a client cannot make one LIST match every folder thousands of
        /// times. Default: 100.
        public var maximumListPatterns = 100
        /// The name of the one quota root, which covers every folder (RFC 9208). Default:
        /// `""`, as in RFC 9208's examples.
        public var quotaRootName = ""

        /// The defaults above.
        public init() {}
    }
}
