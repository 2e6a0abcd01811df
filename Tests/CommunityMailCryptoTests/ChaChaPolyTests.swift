import CommunityMailCrypto
import Testing

@Suite("ChaCha20, Poly1305 and the AEAD: RFC 8439")
struct ChaChaPolyTests {
    let key = [UInt8](0...31)

    @Test("ChaCha20 block function, section 2.3.2")
    func block() throws {
        let block = try ChaCha20.block(key: key, nonce: hex("000000090000004a00000000"), counter: 1)
        #expect(
            block == hex("""
                10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4 c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
                d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2 b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e
                """))
    }

    @Test("ChaCha20 encryption, section 2.4.2, and decryption is the same operation")
    func encryption() throws {
        let nonce = hex("000000000000004a00000000")
        let ciphertext = try ChaCha20.xor(key: key, nonce: nonce, counter: 1, sunscreen)
        #expect(
            ciphertext == hex("""
                6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81 e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
                f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57 16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
                07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e 52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
                5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42 87 4d
                """))
        #expect(try ChaCha20.xor(key: key, nonce: nonce, counter: 1, ciphertext) == sunscreen)
    }

    @Test("A reused context encrypts in place like the one-shot call")
    func contextInPlace() throws {
        let context = try ChaCha20.Context()
        let nonce = hex("000000000000004a00000000")
        var buffer = sunscreen
        for _ in 0..<3 {
            buffer = sunscreen
            try buffer.withUnsafeMutableBytes { raw in
                try context.apply(key: key, nonce: nonce, counter: 1, input: UnsafeRawBufferPointer(raw), output: raw)
            }
        }
        #expect(try buffer == ChaCha20.xor(key: key, nonce: nonce, counter: 1, sunscreen))
    }

    @Test("Poly1305, section 2.5.2")
    func poly1305() throws {
        let tag = try Poly1305.authenticationCode(
            for: bytes("Cryptographic Forum Research Group"),
            key: hex("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b"))
        #expect(tag == hex("a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9"))
    }

    @Test("AEAD, section 2.8.2: seal, open, and refusal of any change")
    func aead() throws {
        let key = [UInt8](0x80...0x9f)
        let nonce = hex("07000000 4041424344454647")
        let aad = hex("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7")
        let box = try ChaChaPoly.seal(sunscreen, key: key, nonce: nonce, authenticating: aad)
        #expect(
            box.ciphertext == hex("""
                d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
                3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b 1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
                92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
                3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16
                """))
        #expect(box.tag == hex("1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91"))
        #expect(try ChaChaPoly.open(box, key: key, nonce: nonce, authenticating: aad) == sunscreen)

        var flipped = box
        flipped.ciphertext[0] ^= 1
        #expect(throws: CryptoError.authenticationFailed) {
            try ChaChaPoly.open(flipped, key: key, nonce: nonce, authenticating: aad)
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try ChaChaPoly.open(box, key: key, nonce: nonce, authenticating: [])
        }
        var wrongKey = key
        wrongKey[0] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) {
            try ChaChaPoly.open(box, key: wrongKey, nonce: nonce, authenticating: aad)
        }
    }

    @Test("Wrong key and nonce lengths are typed errors")
    func lengths() {
        #expect(throws: CryptoError.invalidKeyLength) {
            try ChaCha20.xor(key: [UInt8](repeating: 0, count: 31), nonce: [UInt8](repeating: 0, count: 12), counter: 0, [1])
        }
        #expect(throws: CryptoError.invalidNonceLength) {
            try ChaCha20.xor(key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 8), counter: 0, [1])
        }
        #expect(throws: CryptoError.invalidKeyLength) {
            try Poly1305.authenticationCode(for: [1], key: [UInt8](repeating: 0, count: 16))
        }
    }
}
