import CommunityMailCrypto
import Foundation
import Testing

@testable import EncryptedSQLite

/// The page transform checked against the format description, computed independently
/// with the one-shot crypto functions: the nonce/counter rule, the one-time key, the clear
/// header bytes of page 1, the salt, the raw Poly1305 tag, and both counter-wrap readings.
struct PageFormatTests {
    static let key = [UInt8](repeating: 0x42, count: 32)
    static let salt = [UInt8](0..<16)

    /// Seals `plaintext` as page `pgno` by the format description, with a chosen nonce.
    static func seal(_ plaintext: [UInt8], pgno: UInt32, nonce: [UInt8], legacy: Bool, wrapToZero: Bool) throws -> [UInt8] {
        let n = plaintext.count - 32
        let counter = (UInt32(nonce[12]) | UInt32(nonce[13]) << 8 | UInt32(nonce[14]) << 16 | UInt32(nonce[15]) << 24) ^ pgno
        let oneTimeKey = try ChaCha20.block(key: key, nonce: nonce[0..<12], counter: counter)
        let offset = (pgno == 1 && !legacy) ? 24 : 0
        var page = plaintext
        let body = Array(plaintext[offset..<n])
        var stream: [UInt8]
        let blocks = (body.count + 63) / 64
        let start = counter &+ 1
        if wrapToZero && UInt64(start) + UInt64(blocks) - 1 > UInt64(UInt32.max) {
            let first = Int(UInt64(UInt32.max) - UInt64(start) + 1) * 64
            stream = try ChaCha20.xor(key: oneTimeKey[32..<64], nonce: nonce[0..<12], counter: start, [UInt8](repeating: 0, count: first))
            stream += try ChaCha20.xor(key: oneTimeKey[32..<64], nonce: nonce[0..<12], counter: 0, [UInt8](repeating: 0, count: body.count - first))
        } else {
            stream = try ChaCha20.xor(key: oneTimeKey[32..<64], nonce: nonce[0..<12], counter: start, [UInt8](repeating: 0, count: body.count))
        }
        for index in 0..<body.count { page[offset + index] = body[index] ^ stream[index] }
        if pgno == 1 { page.replaceSubrange(0..<16, with: salt) }
        page.replaceSubrange(n..<(n + 16), with: nonce)
        let tag = try Poly1305.authenticationCode(for: page[0..<(n + 16)], key: oneTimeKey[0..<32])
        page.replaceSubrange((n + 16)..<plaintext.count, with: tag)
        return page
    }

    static func samplePage(size: Int, first: Bool) -> [UInt8] {
        var page = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        if first {
            page.replaceSubrange(0..<16, with: PageCipher.sqliteMagic)
            page[16] = UInt8(size >> 8 & 0xff)
            page[17] = UInt8(size & 0xff)
            page[20] = 32
        }
        page.replaceSubrange((size - 32)..<size, with: [UInt8](repeating: 0, count: 32))
        return page
    }

    @Test(arguments: [(UInt32(1), false), (UInt32(2), false), (UInt32(77), false), (UInt32(1), true), (UInt32(5), true)])
    func decryptsPagesSealedByTheDescription(pgno: UInt32, legacy: Bool) throws {
        let plaintext = Self.samplePage(size: 4096, first: pgno == 1)
        let nonce = (0..<16).map { UInt8($0 * 9 + 1) }
        var sealed = try Self.seal(plaintext, pgno: pgno, nonce: nonce, legacy: legacy, wrapToZero: legacy)
        if pgno == 1 && !legacy {
            #expect(Array(sealed[16..<24]) == Array(plaintext[16..<24]), "header bytes 16..<24 stay in clear")
        }
        if pgno == 1 { #expect(Array(sealed[0..<16]) == Self.salt) }
        let cipher = try PageCipher(key: SecretBytes(copying: Self.key), legacy: legacy)
        let opened = try sealed.withUnsafeMutableBytes { try cipher.decrypt(page: $0, pageNumber: pgno) }
        #expect(opened)
        #expect(sealed == plaintext)
    }

    @Test func ourSealOpensByTheDescription() throws {
        let cipher = try PageCipher(key: SecretBytes(copying: Self.key), legacy: false)
        let plaintext = Self.samplePage(size: 1024, first: false)
        var page = plaintext
        try page.withUnsafeMutableBytes { raw in
            try Self.salt.withUnsafeBytes { try cipher.encrypt(UnsafeRawBufferPointer(raw), into: raw, pageNumber: 9, salt: $0) }
        }
        #expect(page != plaintext)
        let nonce = Array(page[(1024 - 32)..<(1024 - 16)])
        #expect(try Self.seal(plaintext, pgno: 9, nonce: nonce, legacy: false, wrapToZero: false) == page)
        // The same page number with the sealed bytes under another page number fails.
        var moved = page
        #expect(try moved.withUnsafeMutableBytes { try cipher.decrypt(page: $0, pageNumber: 10) } == false)
        #expect(moved == page, "a page that fails its tag is left as it was")
    }

    /// A nonce whose counter range passes 2^32 - 1: legacy (sqleet) readers wrap to 0,
    /// others carry into the nonce as libcrypto does.
    @Test(arguments: [false, true])
    func readsBothCounterWrapBehaviours(legacy: Bool) throws {
        let pgno: UInt32 = 3
        var nonce = (0..<16).map { UInt8($0 + 100) }
        // ctr = 0xFFFF_FFF0 ^ ... so that ctr + 1 + 64 blocks passes 2^32 - 1.
        let wanted: UInt32 = 0xFFFF_FFF0 ^ pgno
        for index in 0..<4 { nonce[12 + index] = UInt8(truncatingIfNeeded: wanted >> (8 * UInt32(index))) }
        let plaintext = Self.samplePage(size: 4096, first: false)
        var sealed = try Self.seal(plaintext, pgno: pgno, nonce: nonce, legacy: legacy, wrapToZero: legacy)
        let cipher = try PageCipher(key: SecretBytes(copying: Self.key), legacy: legacy)
        #expect(try sealed.withUnsafeMutableBytes { try cipher.decrypt(page: $0, pageNumber: pgno) })
        #expect(sealed == plaintext)
    }

    @Test func writersNeverPickAWrappingNonce() throws {
        let cipher = try PageCipher(key: SecretBytes(copying: Self.key), legacy: false)
        let first = Self.samplePage(size: 65536, first: true)
        let other = Self.samplePage(size: 65536, first: false)
        for pgno in UInt32(1)...300 {
            var page = pgno == 1 ? first : other
            try page.withUnsafeMutableBytes { raw in
                try Self.salt.withUnsafeBytes { try cipher.encrypt(UnsafeRawBufferPointer(raw), into: raw, pageNumber: pgno, salt: $0) }
            }
            let n = 65536 - 32
            let counter = (UInt32(page[n + 12]) | UInt32(page[n + 13]) << 8 | UInt32(page[n + 14]) << 16 | UInt32(page[n + 15]) << 24) ^ pgno
            let blocks = UInt64((n - (pgno == 1 ? 24 : 0) + 63) / 64)
            #expect(UInt64(counter) + blocks <= UInt64(UInt32.max))
        }
    }

    @Test func temporaryFilesAreEncryptedAtAnyOffset() throws {
        let cipher = try TemporaryFileCipher()
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        var whole = data
        try whole.withUnsafeMutableBytes { try cipher.apply($0, offset: 130) }
        #expect(whole != data)
        // Encrypting pieces at their own offsets gives the same bytes as one call.
        var pieces = data
        try pieces.withUnsafeMutableBytes { raw in
            try cipher.apply(UnsafeMutableRawBufferPointer(rebasing: raw[0..<77]), offset: 130)
            try cipher.apply(UnsafeMutableRawBufferPointer(rebasing: raw[77..<1000]), offset: 207)
        }
        #expect(pieces == whole)
        try whole.withUnsafeMutableBytes { try cipher.apply($0, offset: 130) }
        #expect(whole == data)
    }
}
