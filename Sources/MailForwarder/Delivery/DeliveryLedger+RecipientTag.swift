extension DeliveryLedger {
    /// A recipient as the ledger holds it: 16 bytes of a keyed hash, not the address.
    struct RecipientTag: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        /// The first 16 bytes of `code` (at least 16 long).
        init(_ code: [UInt8]) {
            func word(_ start: Int) -> UInt64 { code[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) } }
            high = word(0)
            low = word(8)
        }
    }
}
