import CommunityMailCrypto
import CommunityMailSystem
import Testing

@Suite("CryptoError classification")
struct CryptoErrorTests {
    @Test("a failed tag, bad keys and a refused handshake repeat; a broken TLS connection may not")
    func transience() {
        for error in [CryptoError.authenticationFailed, .invalidKeyLength, .invalidNonceLength, .invalidParameter,
                      .invalidPublicKey, .libcrypto, .tlsHandshake] {
            #expect(!error.isTransient, "\(error)")
            #expect(!error.isTransientFailure, "\(error)")
        }
        #expect(CryptoError.tlsIO.isTransient)
    }

    @Test("opening a sealed box with the wrong key fails for good")
    func wrongKey() throws {
        let key = [UInt8](repeating: 1, count: 32), other = [UInt8](repeating: 2, count: 32)
        let nonce = [UInt8](repeating: 0, count: 12)
        let sealed = try ChaChaPoly.seal([1, 2, 3], key: key, nonce: nonce)
        let error = #expect(throws: CryptoError.authenticationFailed) {
            try ChaChaPoly.open(sealed, key: other, nonce: nonce)
        }
        #expect(error?.isTransientFailure == false)
    }
}
