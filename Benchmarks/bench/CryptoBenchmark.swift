import CommunityMailCOpenSSL
import CommunityMailCrypto
import Foundation

/// ChaCha20 + Poly1305 over 4 KiB pages (the encrypted mailbox's work per page) and
/// PBKDF2-HMAC-SHA256, through our wrappers and through libcrypto called directly.
enum CryptoBenchmark {
    static let pageSize = 4096
    static let pages = 8192  // 32 MiB per run

    static func run() throws {
        print("crypto: \(pages) pages of \(pageSize) bytes (\((pages * pageSize) >> 20) MiB) per run; ours and libcrypto alternate, fastest run of each")
        let key = try SecureRandom.bytes(32)
        let nonce = try SecureRandom.bytes(12)
        var page = try SecureRandom.bytes(pageSize)
        var tag = [UInt8](repeating: 0, count: 16)

        // Ours: one reusable context each, as the VFS uses them.
        let cipher = try ChaCha20.Context()
        let mac = try Poly1305.Context()
        func ourPages() throws {
            for index in 0..<pages {
                try page.withUnsafeMutableBytes { raw in
                    try cipher.apply(key: key, nonce: nonce, counter: UInt32(index), input: UnsafeRawBufferPointer(raw), output: raw)
                    try tag.withUnsafeMutableBytes { try mac.authenticate(key: key, message: UnsafeRawBufferPointer(raw), tag: $0) }
                }
            }
        }

        // Direct: the same EVP calls with no Swift layer in between.
        let evpCipher = EVP_CIPHER_fetch(nil, "ChaCha20", nil)
        let evpMAC = EVP_MAC_fetch(nil, "POLY1305", nil)
        let cipherContext = EVP_CIPHER_CTX_new()
        let macContext = EVP_MAC_CTX_new(evpMAC)
        defer {
            EVP_CIPHER_CTX_free(cipherContext)
            EVP_MAC_CTX_free(macContext)
            EVP_CIPHER_free(evpCipher)
            EVP_MAC_free(evpMAC)
        }
        var iv = [UInt8](repeating: 0, count: 16)
        for i in 0..<12 { iv[4 + i] = nonce[i] }
        EVP_EncryptInit_ex2(cipherContext, evpCipher, nil, nil, nil)
        var outLength: Int32 = 0
        var tagLength = 0
        func directPages() {
            for index in 0..<pages {
                iv[0] = UInt8(truncatingIfNeeded: index)
                iv[1] = UInt8(truncatingIfNeeded: index >> 8)
                EVP_EncryptInit_ex2(cipherContext, nil, key, iv, nil)
                page.withUnsafeMutableBufferPointer { p in
                    _ = EVP_EncryptUpdate(cipherContext, p.baseAddress, &outLength, p.baseAddress, Int32(p.count))
                    EVP_MAC_init(macContext, key, 32, nil)
                    EVP_MAC_update(macContext, p.baseAddress, p.count)
                    EVP_MAC_final(macContext, &tag, &tagLength, 16)
                }
            }
        }
        let (ours, direct) = try BenchmarkClock.compare(ours: ourPages, baseline: directPages)
        let mebibytes = Double(pages * pageSize) / 1_048_576
        print("ChaCha20 + Poly1305 per 4 KiB page")
        report("ours (CommunityMailCrypto)", "\(format(mebibytes / ours.seconds)) MiB/s, \(format(Double(pages) / ours.seconds, 0)) pages/s")
        report("libcrypto directly", "\(format(mebibytes / direct.seconds)) MiB/s, \(format(Double(pages) / direct.seconds, 0)) pages/s")
        report("ratio ours / direct (time; 1.00 = no overhead)", format(ours.seconds / direct.seconds, 3))

        let iterations = 64007
        let rounds = 8
        let password = Array("correct horse battery staple".utf8)
        let salt = try SecureRandom.bytes(16)
        func ourKDF() throws {
            for _ in 0..<rounds { _ = try PBKDF2.deriveKey(password: password, salt: salt, iterations: iterations, length: 32) }
        }
        var out = [UInt8](repeating: 0, count: 32)
        func directKDF() {
            for _ in 0..<rounds {
                password.withUnsafeBufferPointer { p in
                    p.withMemoryRebound(to: CChar.self) { c in
                        _ = PKCS5_PBKDF2_HMAC(c.baseAddress, Int32(c.count), salt, 16, Int32(iterations), EVP_sha256(), 32, &out)
                    }
                }
            }
        }
        let (oursKDF, directKDFTime) = try BenchmarkClock.compare(rounds: 3, ours: ourKDF, baseline: directKDF)
        print("PBKDF2-HMAC-SHA256, \(iterations) iterations (sqlite3mc's default), 32-byte key")
        report("ours", "\(format(Double(rounds) / oursKDF.seconds, 2)) derivations/s")
        report("libcrypto directly", "\(format(Double(rounds) / directKDFTime.seconds, 2)) derivations/s")
        report("ratio ours / direct (time)", format(oursKDF.seconds / directKDFTime.seconds, 3))
    }
}
