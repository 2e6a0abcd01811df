import CommunityMailCrypto
import Foundation

extension SRSRewriter {
    /// The first ``Configuration/hashLength`` base64 characters of the HMAC-SHA1 of
    /// `parts`, concatenated and ASCII-lower-cased, under the first secret.
    func signature(of parts: [ArraySlice<UInt8>]) throws(SRSError) -> [UInt8] {
        try signature(of: parts, secret: configuration.secrets[0])
    }

    /// Throws ``SRSError/invalidHash`` unless some secret's hash of `parts` equals `hash`
    /// without regard to ASCII case (postsrsd and libsrs2 compare so: relays smash case).
    func verify(hash: ArraySlice<UInt8>, over parts: [ArraySlice<UInt8>]) throws(SRSError) {
        guard hash.count == configuration.hashLength else {
            throw .invalidHash.with(message: "the SRS hash has the wrong length")
        }
        let given = Self.lowercased(hash)
        var matched = false
        // Every secret is tried, matched or not: the time taken does not say which one.
        for secret in configuration.secrets {
            let expected = Self.lowercased(try signature(of: parts, secret: secret))
            if ConstantTime.equals(expected, given) { matched = true }
        }
        guard matched else { throw .invalidHash }
    }

    private func signature(of parts: [ArraySlice<UInt8>], secret: [UInt8]) throws(SRSError) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { message += Self.lowercased(part) }
        let code: [UInt8]
        do {
            code = try HMAC.authenticationCode(for: message, key: secret, using: .sha1)
        } catch {
            throw .cryptoFailure.with(message: "HMAC-SHA1 failed in libcrypto", cause: error)
        }
        return Array(Data(code).base64EncodedString().utf8.prefix(configuration.hashLength))
    }
}
