extension DeliveryLedger {
    /// How much a ``DeliveryLedger`` keeps and for how long.
    public struct Configuration: Sendable, Hashable {
        /// The most messages held; a new one evicts the oldest. Each takes a few hundred
        /// bytes (its fingerprint and 16 bytes per recipient that has it). Default: 100,000.
        public var maximumEntries: Int = 100_000
        /// How long a message is remembered after its first partial delivery: the retry
        /// horizon of RFC 5321 section 4.5.4.1 ("at least 4-5 days"), past which a sender
        /// has given up. Default: 5 days.
        public var timeToLive: Duration = .seconds(5 * 24 * 3600)

        /// The defaults above.
        public init() {}
    }
}
