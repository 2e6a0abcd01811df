/// One key of an IMAP SORT (RFC 5256): what to compare, and whether to reverse it.
public struct SortKey: Sendable, Hashable {
    /// What a sort key compares.
    public enum Criterion: String, Sendable, Hashable, CaseIterable {
        /// The internal date.
        case arrival
        /// The mailbox (local part) of the first Cc address, case-insensitive.
        case cc
        /// The Date header, or the internal date when it is missing or broken.
        case date
        /// The mailbox (local part) of the first From address, case-insensitive.
        case from
        /// The size in bytes.
        case size
        /// The base subject: without `Re:`, `Fwd:`, `[list]` tags and `(fwd)`, case-insensitive.
        case subject
        /// The mailbox (local part) of the first To address, case-insensitive.
        case to
    }

    /// What to compare.
    public var criterion: Criterion
    /// Largest first.
    public var reverse: Bool

    /// A sort key.
    public init(_ criterion: Criterion, reverse: Bool = false) {
        self.criterion = criterion
        self.reverse = reverse
    }
}
