import CommunityMailCrypto
import Testing

@Suite("PBKDF2: RFC 6070 (HMAC-SHA1) and RFC 7914 section 11 (HMAC-SHA256)")
struct PBKDF2Tests {
    @Test("RFC 6070 vectors", arguments: [
        ("password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        ("password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
        ("password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"),
        ("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
         "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"),
        ("pass\0word", "sa\0lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"),
    ])
    func rfc6070(password: String, salt: String, iterations: Int, length: Int, expected: String) throws {
        let key = try PBKDF2.deriveKey(
            password: bytes(password), salt: bytes(salt), iterations: iterations, length: length, hash: .sha1)
        #expect(key == hex(expected))
    }

    @Test("RFC 7914 section 11 vectors")
    func rfc7914() throws {
        #expect(
            try PBKDF2.deriveKey(password: bytes("passwd"), salt: bytes("salt"), iterations: 1, length: 64)
                == hex("""
                    55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc
                    49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83
                    """))
        #expect(
            try PBKDF2.deriveKey(password: bytes("Password"), salt: bytes("NaCl"), iterations: 80000, length: 64)
                == hex("""
                    4d dc d8 f6 0b 98 be 21 83 0c ee 5e f2 27 01 f9 64 1a 44 18 d0 4c 04 14 ae ff 08 87 6b 34 ab 56
                    a1 d4 25 a1 22 58 33 54 9a db 84 1b 51 c9 b3 17 6a 27 2b de bb a1 d0 78 47 8f 62 b3 97 f3 3c 8d
                    """))
    }

    // The widely published PBKDF2-HMAC-SHA256 vectors in RFC 6070's shape (as in
    // draft-josefsson-scrypt-kdf and many libraries' suites).
    @Test("PBKDF2-HMAC-SHA256 vectors for 1, 2 and 4096 iterations", arguments: [
        ("password", "salt", 1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        ("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
         "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"),
        ("pass\0word", "sa\0lt", 4096, 16, "89b69d0516f829893c696226650a8687"),
    ])
    func sha256Vectors(password: String, salt: String, iterations: Int, length: Int, expected: String) throws {
        let key = try PBKDF2.deriveKey(password: bytes(password), salt: bytes(salt), iterations: iterations, length: length)
        #expect(key == hex(expected))
        #expect(try PBKDF2.deriveKeyWithOpenSSL(password: bytes(password), salt: bytes(salt), iterations: iterations, length: length) == key)
    }

    @Test("Out-of-range parameters are typed errors")
    func invalidParameters() {
        #expect(throws: CryptoError.invalidParameter) {
            try PBKDF2.deriveKey(password: bytes("p"), salt: bytes("s"), iterations: 0, length: 32)
        }
        #expect(throws: CryptoError.invalidParameter) {
            try PBKDF2.deriveKey(password: bytes("p"), salt: bytes("s"), iterations: 1, length: 0)
        }
    }
}
