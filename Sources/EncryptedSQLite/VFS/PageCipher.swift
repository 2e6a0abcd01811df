import CommunityMailCrypto

/// The page transform of SQLite3 Multiple Ciphers' `chacha20` scheme (see
/// Documentation/EncryptedSQLite.md): ChaCha20 with a fresh 16-byte nonce per write and a
/// raw Poly1305 tag, both kept in the page's last 32 (reserved) bytes.
///
/// One instance per open file: it keeps its libcrypto contexts for speed and is not
/// thread-safe (SQLite drives one file from one thread at a time).
final class PageCipher {
    /// Reserved bytes at the end of every page: nonce + tag.
    static let reserveBytes = 32
    static let nonceLength = 16
    static let saltLength = 16
    /// The plaintext header every SQLite database starts with.
    static let sqliteMagic: [UInt8] = Array("SQLite format 3\u{0}".utf8)

    private let key: SecretBytes
    private let legacy: Bool
    private let chacha: ChaCha20.Context
    private let poly: Poly1305.Context
    /// The one-time key block: Poly1305 key, then the page key. Wiped after each use.
    private let oneTimeKey = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
    private let zeroBlock = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
    private let computedTag = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 16)
    /// Random bytes drawn 64 nonces at a time: one `RAND_bytes` call per page was a
    /// measurable share of the write cost.
    private let nonceReserve = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 16)
    private var nonceReserveUsed = 1024
    /// ``ForkGeneration/current`` when the reserve was drawn.
    private var nonceReserveGeneration: UInt64 = 0

    /// - Parameters:
    ///   - key: the 32-byte master key.
    ///   - legacy: sqleet mode (page 1 fully encrypted, counter wraps to 0 on read).
    init(key: SecretBytes, legacy: Bool) throws {
        self.key = key
        self.legacy = legacy
        self.chacha = try ChaCha20.Context()
        self.poly = try Poly1305.Context()
        zeroBlock.initializeMemory(as: UInt8.self, repeating: 0)
        oneTimeKey.initializeMemory(as: UInt8.self, repeating: 0)
        computedTag.initializeMemory(as: UInt8.self, repeating: 0)
        nonceReserve.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        SecureMemory.wipe(oneTimeKey)
        oneTimeKey.deallocate()
        zeroBlock.deallocate()
        computedTag.deallocate()
        SecureMemory.wipe(nonceReserve)
        nonceReserve.deallocate()
    }

    private func drawNonce(into nonce: UnsafeMutableRawBufferPointer) throws {
        // A child forked after the reserve was drawn holds a copy of it: the fork count
        // (a pthread_atfork handler, an atomic load here) sends it to draw its own. It also
        // catches a grandchild given its exited grandparent's pid, which a pid check misses,
        // and costs no system call per page (getpid was ~5 % of a page's seal here).
        let generation = ForkGeneration.current
        if nonceReserveUsed + Self.nonceLength > nonceReserve.count || nonceReserveGeneration != generation {
            try SecureRandom.fill(nonceReserve)
            nonceReserveUsed = 0
            nonceReserveGeneration = generation
        }
        let next = nonceReserve[nonceReserveUsed..<(nonceReserveUsed + Self.nonceLength)]
        nonce.copyMemory(from: UnsafeRawBufferPointer(rebasing: next))
        // A nonce, once used, is never handed out again.
        SecureMemory.wipe(UnsafeMutableRawBufferPointer(rebasing: next))
        nonceReserveUsed += Self.nonceLength
    }

    /// Where the encrypted part of a page starts: page 1 keeps header bytes 16..<24 in clear.
    private func encryptedOffset(pageNumber: UInt32) -> Int {
        (pageNumber == 1 && !legacy) ? 24 : 0
    }

    private static func counter(nonce: UnsafeRawBufferPointer, pageNumber: UInt32) -> UInt32 {
        let word = UInt32(nonce[12]) | UInt32(nonce[13]) << 8 | UInt32(nonce[14]) << 16 | UInt32(nonce[15]) << 24
        return word ^ pageNumber
    }

    private func deriveOneTimeKey(nonce: UnsafeRawBufferPointer, counter: UInt32) throws {
        try chacha.apply(
            key: key.bytes, nonce: UnsafeRawBufferPointer(rebasing: nonce[0..<12]), counter: counter,
            input: UnsafeRawBufferPointer(zeroBlock), output: oneTimeKey)
    }

    /// Encrypts the plaintext page `plaintext` into `page` and seals it.
    /// - Parameters:
    ///   - plaintext: the page as SQLite wrote it; may be the same memory as `page`.
    ///   - page: receives the stored page (its last 32 bytes are the nonce and tag).
    ///   - pageNumber: 1-based.
    ///   - salt: the database's 16-byte salt, stored over bytes 0..<16 of page 1.
    func encrypt(
        _ plaintext: UnsafeRawBufferPointer, into page: UnsafeMutableRawBufferPointer, pageNumber: UInt32,
        salt: UnsafeRawBufferPointer
    ) throws {
        precondition(plaintext.count == page.count, "a page encrypts to a page of the same size")
        let n = page.count - Self.reserveBytes
        let offset = encryptedOffset(pageNumber: pageNumber)
        let nonce = UnsafeMutableRawBufferPointer(rebasing: page[n..<(n + Self.nonceLength)])
        let blocks = UInt64((n - offset + 63) / 64)
        var counter: UInt32
        // Draw the nonce again while the page's counter range would pass 2^32 - 1, so that
        // readers that wrap and readers that carry agree.
        repeat {
            try drawNonce(into: nonce)
            counter = Self.counter(nonce: UnsafeRawBufferPointer(nonce), pageNumber: pageNumber)
        } while UInt64(counter) + blocks > UInt64(UInt32.max)
        defer { SecureMemory.wipe(oneTimeKey) }
        try deriveOneTimeKey(nonce: UnsafeRawBufferPointer(nonce), counter: counter)
        // Encrypting from SQLite's buffer straight into the output saves a page copy.
        try chacha.apply(
            key: UnsafeRawBufferPointer(rebasing: oneTimeKey[32..<64]),
            nonce: UnsafeRawBufferPointer(rebasing: nonce[0..<12]), counter: counter &+ 1,
            input: UnsafeRawBufferPointer(rebasing: plaintext[offset..<n]),
            output: UnsafeMutableRawBufferPointer(rebasing: page[offset..<n]))
        if pageNumber == 1 {
            UnsafeMutableRawBufferPointer(rebasing: page[0..<Self.saltLength]).copyMemory(from: salt)
            if offset > Self.saltLength {
                // Header bytes 16..<24 (page size, reserve, ...) stay in clear.
                UnsafeMutableRawBufferPointer(rebasing: page[Self.saltLength..<offset])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: plaintext[Self.saltLength..<offset]))
            }
        }
        try poly.authenticate(
            key: UnsafeRawBufferPointer(rebasing: oneTimeKey[0..<32]),
            message: UnsafeRawBufferPointer(rebasing: page[0..<(n + Self.nonceLength)]),
            tag: UnsafeMutableRawBufferPointer(rebasing: page[(n + Self.nonceLength)..<page.count]))
    }

    /// Derives the stored page's one-time key into `oneTimeKey` and checks its tag; the
    /// caller wipes `oneTimeKey`.
    /// - Returns: the page's block counter, or nil when the tag does not match.
    private func checkTag(page: UnsafeRawBufferPointer, pageNumber: UInt32) throws -> UInt32? {
        let n = page.count - Self.reserveBytes
        let nonce = UnsafeRawBufferPointer(rebasing: page[n..<(n + Self.nonceLength)])
        let counter = Self.counter(nonce: nonce, pageNumber: pageNumber)
        try deriveOneTimeKey(nonce: nonce, counter: counter)
        try poly.authenticate(
            key: UnsafeRawBufferPointer(rebasing: oneTimeKey[0..<32]),
            message: UnsafeRawBufferPointer(rebasing: page[0..<(n + Self.nonceLength)]),
            tag: computedTag)
        let stored = UnsafeRawBufferPointer(rebasing: page[(n + Self.nonceLength)..<page.count])
        return ConstantTime.equals(UnsafeRawBufferPointer(computedTag), stored) ? counter : nil
    }

    /// True when the stored page in `page` carries a valid tag for `pageNumber`; the page
    /// stays encrypted (a checkpoint copies it to the database file as it is).
    func isAuthentic(page: UnsafeRawBufferPointer, pageNumber: UInt32) throws -> Bool {
        defer { SecureMemory.wipe(oneTimeKey) }
        return try checkTag(page: page, pageNumber: pageNumber) != nil
    }

    /// Checks the tag of the stored page in `page` and decrypts it in place.
    /// - Returns: false (and leaves `page` untouched) when the tag does not match.
    func decrypt(page: UnsafeMutableRawBufferPointer, pageNumber: UInt32) throws -> Bool {
        defer { SecureMemory.wipe(oneTimeKey) }
        guard let counter = try checkTag(page: UnsafeRawBufferPointer(page), pageNumber: pageNumber) else { return false }
        let n = page.count - Self.reserveBytes
        let offset = encryptedOffset(pageNumber: pageNumber)
        let nonce = UnsafeRawBufferPointer(rebasing: page[n..<(n + Self.nonceLength)])
        let pageKey = UnsafeRawBufferPointer(rebasing: oneTimeKey[32..<64])
        let nonce12 = UnsafeRawBufferPointer(rebasing: nonce[0..<12])
        let start = counter &+ 1
        let blocks = (n - offset + 63) / 64
        let blocksBeforeWrap = Int(UInt64(UInt32.max) - UInt64(start) + 1)
        if legacy && blocks > blocksBeforeWrap {
            // sqleet wraps the block counter to 0 and keeps the nonce; libcrypto would carry
            // into the nonce, so the range is split at the wrap.
            let split = offset + blocksBeforeWrap * 64
            let first = UnsafeMutableRawBufferPointer(rebasing: page[offset..<split])
            try chacha.apply(key: pageKey, nonce: nonce12, counter: start, input: UnsafeRawBufferPointer(first), output: first)
            let rest = UnsafeMutableRawBufferPointer(rebasing: page[split..<n])
            try chacha.apply(key: pageKey, nonce: nonce12, counter: 0, input: UnsafeRawBufferPointer(rest), output: rest)
        } else {
            let body = UnsafeMutableRawBufferPointer(rebasing: page[offset..<n])
            try chacha.apply(key: pageKey, nonce: nonce12, counter: start, input: UnsafeRawBufferPointer(body), output: body)
        }
        if pageNumber == 1 {
            Self.sqliteMagic.withUnsafeBytes { magic in
                UnsafeMutableRawBufferPointer(rebasing: page[0..<Self.saltLength]).copyMemory(from: magic)
            }
        }
        // SQLite hands back its pages' reserved bytes untouched, and the WAL checksums cover
        // them: returning zeros (as new pages have) keeps those checksums reproducible.
        UnsafeMutableRawBufferPointer(rebasing: page[n..<page.count]).initializeMemory(as: UInt8.self, repeating: 0)
        return true
    }
}
