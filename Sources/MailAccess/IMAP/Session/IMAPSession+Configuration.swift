extension IMAPSession {
    /// How a session reads the mailbox and what it announces.
    public struct Configuration: Sendable {
        /// Messages read from the mailbox per call while a FETCH needs their header or
        /// body: bounds the memory one command holds at once. Default: 128.
        public var fetchBatchSize = 128
        /// The octets one such read may hold, counted as the messages' sizes in RFC 5322
        /// form (never fewer than their stored bytes), or the headers' lengths when only
        /// headers are read, from a read of the sizes first (`Mailbox.sizes(of:in:content:)`);
        /// a larger message is read alone. With
        /// ``fetchReadAheadBytes``, a FETCH holds at most about twice this, or one message
        /// when that is larger. Default: 32 MiB.
        public var fetchBatchBytes = 32 * 1024 * 1024
        /// While a FETCH answers one batch, the next is read and decrypted on the mailbox's
        /// threads, unless the batch being answered holds more stored bytes than this: a
        /// command then holds at most this much plus one batch. 0 reads one batch at a time.
        /// Default: 32 MiB.
        public var fetchReadAheadBytes = 32 * 1024 * 1024
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
        /// How often a session waiting for updates (IDLE) reads the mailbox's own record of
        /// changes, besides following its events: changes made through another `Mailbox`
        /// on the same file (another process) reach no event stream. NOOP and CHECK read it
        /// too. nil: events only. Default: 30 seconds.
        public var pollInterval: Duration? = .seconds(30)
        /// The name of the one quota root, which covers every folder (RFC 9208). Default:
        /// `""`, as in RFC 9208's examples.
        public var quotaRootName = ""

        /// The defaults above.
        public init() {}
    }
}
