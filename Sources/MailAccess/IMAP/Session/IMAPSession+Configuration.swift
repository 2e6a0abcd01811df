extension IMAPSession {
    /// How a session reads the mailbox and what it announces.
    public struct Configuration: Sendable {
        /// Messages read from the mailbox per call while answering FETCH, STORE's flag
        /// echo and the like: bounds the memory one command holds at once. Default: 128.
        public var fetchBatchSize = 128
        /// The largest message APPEND takes, reported as STATUS APPENDLIMIT when the
        /// mailbox's quota sets no smaller one (RFC 7889). Keep it equal to the parser's
        /// `maximumAppendSize`. Default: 50 MiB.
        public var maximumAppendSize = 50 * 1024 * 1024
        /// The name of the one quota root, which covers every folder (RFC 9208). Default:
        /// `""`, as in RFC 9208's examples.
        public var quotaRootName = ""

        /// The defaults above.
        public init() {}
    }
}
