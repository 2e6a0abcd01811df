import CommunityMailCrypto
import Testing

@Suite("SHA and HMAC: FIPS 180, RFC 4231, RFC 2202")
struct DigestTests {
    @Test("SHA-1 FIPS 180 examples")
    func sha1() throws {
        #expect(try SHA1.hash(bytes("abc")) == hex("a9993e364706816aba3e25717850c26c9cd0d89d"))
        #expect(
            try SHA1.hash(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                == hex("84983e441c3bd26ebaae4aa1f95129e5e54670f1"))
        #expect(try SHA1.hash([UInt8]()) == hex("da39a3ee5e6b4b0d3255bfef95601890afd80709"))
    }

    @Test("SHA-256 FIPS 180 examples")
    func sha256() throws {
        #expect(
            try SHA256.hash(bytes("abc")) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(
            try SHA256.hash(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                == hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"))
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(try SHA256.hash(million) == hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"))
    }

    @Test("HMAC-SHA256 RFC 4231 test cases 1, 2, 3, 6, 7")
    func hmacSHA256() throws {
        let cases: [([UInt8], [UInt8], String)] = [
            ([UInt8](repeating: 0x0b, count: 20), bytes("Hi There"),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (bytes("Jefe"), bytes("what do ya want for nothing?"),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            ([UInt8](repeating: 0xaa, count: 131), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             bytes("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        for (key, message, expected) in cases {
            #expect(try HMAC.authenticationCode(for: message, key: key, using: .sha256) == hex(expected))
            #expect(try HMAC.isValidAuthenticationCode(hex(expected), for: message, key: key, using: .sha256))
        }
    }

    @Test("HMAC-SHA1 RFC 2202 test cases 1, 2, 3, 6")
    func hmacSHA1() throws {
        let cases: [([UInt8], [UInt8], String)] = [
            ([UInt8](repeating: 0x0b, count: 20), bytes("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"),
            (bytes("Jefe"), bytes("what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
            ([UInt8](repeating: 0xaa, count: 80), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
             "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        ]
        for (key, message, expected) in cases {
            #expect(try HMAC.authenticationCode(for: message, key: key, using: .sha1) == hex(expected))
        }
    }

    @Test("A changed code or message does not verify")
    func hmacRejects() throws {
        let key = bytes("Jefe")
        var code = try HMAC.authenticationCode(for: bytes("message"), key: key, using: .sha256)
        #expect(try !HMAC.isValidAuthenticationCode(code, for: bytes("messagE"), key: key, using: .sha256))
        code[31] ^= 1
        #expect(try !HMAC.isValidAuthenticationCode(code, for: bytes("message"), key: key, using: .sha256))
        #expect(try !HMAC.isValidAuthenticationCode(code.dropLast(), for: bytes("message"), key: key, using: .sha256))
        #expect(try HMAC.authenticationCode(for: [UInt8](), key: [UInt8](), using: .sha256).count == 32)
    }
}
