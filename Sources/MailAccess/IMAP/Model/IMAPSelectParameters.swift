/// The parameters of SELECT and EXAMINE: `(CONDSTORE)` (RFC 7162 section 3.1.8) and
/// `(QRESYNC (...))` (RFC 7162 section 3.2.5).
public struct IMAPSelectParameters: Sendable, Hashable {
    /// `CONDSTORE` was given.
    public var condStore: Bool
    /// The QRESYNC parameter, when given.
    public var qresync: IMAPQResyncParameters?

    /// Parameters as given; none by default.
    public init(condStore: Bool = false, qresync: IMAPQResyncParameters? = nil) {
        self.condStore = condStore
        self.qresync = qresync
    }
}

/// `QRESYNC (uidvalidity modseq [known-uids [(known-sequence-set known-uid-set)]])`.
public struct IMAPQResyncParameters: Sendable, Hashable {
    /// The UIDVALIDITY the client last saw.
    public var uidValidity: UInt32
    /// The last known HIGHESTMODSEQ.
    public var modSeq: UInt64
    /// The UIDs the client knows, when sent.
    public var knownUIDs: IMAPSequenceSet?
    /// Message sequence numbers and their UIDs (the `seq-match-data`), when sent.
    public var sequenceMatch: IMAPSequenceMatch?

    /// Parameters from their parts.
    public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: IMAPSequenceSet? = nil, sequenceMatch: IMAPSequenceMatch? = nil) {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }
}

/// RFC 7162 `seq-match-data`: sequence numbers and the UIDs the client has for them.
public struct IMAPSequenceMatch: Sendable, Hashable {
    /// The message sequence numbers.
    public var sequenceNumbers: IMAPSequenceSet
    /// Their UIDs, in the same order.
    public var uids: IMAPSequenceSet

    /// A match from its two sets.
    public init(sequenceNumbers: IMAPSequenceSet, uids: IMAPSequenceSet) {
        self.sequenceNumbers = sequenceNumbers
        self.uids = uids
    }
}
