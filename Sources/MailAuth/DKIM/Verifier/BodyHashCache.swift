internal import CommunityMailCrypto

/// The body hashes of one message, computed once per canonicalization, hash and `l=` and
/// shared between the signatures that ask for the same one.
struct BodyHashCache {
    /// One computed body hash.
    struct Entry {
        /// The hash of the canonical body (up to `l=`).
        let digest: [UInt8]
        /// The canonical body's whole length.
        let canonicalLength: Int
    }

    private struct Key: Hashable {
        let canonicalization: Canonicalization
        let hash: HashFunction
        let limit: Int?
    }

    private let body: ArraySlice<UInt8>
    private var entries: [Key: Entry] = [:]

    /// A cache for `body`.
    init(body: ArraySlice<UInt8>) {
        self.body = body
    }

    /// The body's hash under `canonicalization` and `hash`, up to `limit` bytes.
    /// - Throws: ``MailAuthError/cryptoFailure`` when hashing fails.
    mutating func hash(_ canonicalization: Canonicalization, hash: HashFunction, limit: Int?) throws(MailAuthError) -> Entry {
        let key = Key(canonicalization: canonicalization, hash: hash, limit: limit)
        if let entry = entries[key] { return entry }
        let canonicalizer = try BodyCanonicalizer(canonicalization, hash: hash, limit: limit)
        try canonicalizer.update(body)
        let entry = Entry(digest: try canonicalizer.finalize(), canonicalLength: canonicalizer.canonicalLength)
        entries[key] = entry
        return entry
    }
}
