import CommunityMailTestSupport
import Foundation
import Testing

@testable import CommunityMailCrypto

/// RSA and Ed25519 signing keys, checked against the `openssl` command line tool (a peer
/// that shares libcrypto but none of our key handling, encoding or padding choices).
@Suite("Signature keys")
struct SignatureKeyTests {
    private static let openssl = URL(fileURLWithPath: "/usr/bin/openssl")

    private func openssl(_ arguments: [String]) async throws -> String {
        let (status, output) = try await ChildProcess.run(Self.openssl, arguments)
        #expect(status == 0, "openssl \(arguments.first ?? "") failed: \(output)")
        return output
    }

    @Test("an RSA key made by openssl genrsa (PKCS #1 PEM) signs what openssl verifies, and verifies what openssl signs")
    func rsaBothWays() async throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path("rsa.pem"), publicPath = directory.path("rsa.pub.der")
        _ = try await openssl(["genrsa", "-traditional", "-out", keyPath, "2048"])
        _ = try await openssl(["rsa", "-in", keyPath, "-pubout", "-outform", "DER", "-out", publicPath])
        let key = try SigningKey(pem: String(contentsOfFile: keyPath, encoding: .utf8))
        #expect(key.kind == .rsa && key.bits == 2048)
        let publicDER = try [UInt8](Data(contentsOf: URL(fileURLWithPath: publicPath)))
        #expect(try key.verifyingKey.publicKeyBytes() == publicDER)

        let data = Array("DKIM-Signature: v=1; a=rsa-sha256\r\n".utf8)
        try Data(data).write(to: URL(fileURLWithPath: directory.path("data")))
        // Ours, checked by openssl.
        let signature = try key.signature(forDigest: SHA256.hash(data), hash: .sha256)
        try Data(signature).write(to: URL(fileURLWithPath: directory.path("ours.sig")))
        let verified = try await openssl([
            "dgst", "-sha256", "-verify", publicPath, "-keyform", "DER", "-signature", directory.path("ours.sig"), directory.path("data"),
        ])
        #expect(verified.contains("Verified OK"))
        // openssl's, checked by us; SHA-1 too (DKIM's rsa-sha1, verify only).
        for hash in [HashFunction.sha256, .sha1] {
            let signaturePath = directory.path("theirs-\(hash.rawValue).sig")
            _ = try await openssl(["dgst", "-\(hash.rawValue.lowercased())", "-sign", keyPath, "-out", signaturePath, directory.path("data")])
            let theirs = try [UInt8](Data(contentsOf: URL(fileURLWithPath: signaturePath)))
            let verifier = try VerifyingKey(rsaDER: publicDER)
            #expect(verifier.isValidSignature(theirs, forDigest: try hash.hash(data), hash: hash))
            var flipped = theirs
            flipped[flipped.count / 2] ^= 0x01
            #expect(!verifier.isValidSignature(flipped, forDigest: try hash.hash(data), hash: hash))
            #expect(!verifier.isValidSignature(theirs, forDigest: try hash.hash(data + [0x20]), hash: hash))
        }
    }

    @Test("a bare PKCS #1 RSAPublicKey is accepted, as some DKIM publishers use it")
    func pkcs1PublicKey() async throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path("rsa.pem"), publicPath = directory.path("rsa.pkcs1.der")
        _ = try await openssl(["genrsa", "-out", keyPath, "1024"])
        _ = try await openssl(["rsa", "-in", keyPath, "-RSAPublicKey_out", "-outform", "DER", "-out", publicPath])
        let key = try SigningKey(pem: String(contentsOfFile: keyPath, encoding: .utf8))
        let verifier = try VerifyingKey(rsaDER: [UInt8](Data(contentsOf: URL(fileURLWithPath: publicPath))))
        #expect(verifier.bits == 1024)
        let digest = try SHA256.hash(Array("x".utf8))
        #expect(verifier.isValidSignature(try key.signature(forDigest: digest, hash: .sha256), forDigest: digest, hash: .sha256))
    }

    @Test("Ed25519: our signature of a SHA-256 digest verifies with openssl pkeyutl -rawin, and openssl's with ours")
    func ed25519BothWays() async throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path("ed.pem"), publicPath = directory.path("ed.pub.pem")
        _ = try await openssl(["genpkey", "-algorithm", "ed25519", "-out", keyPath])
        _ = try await openssl(["pkey", "-in", keyPath, "-pubout", "-out", publicPath])
        let key = try SigningKey(pem: String(contentsOfFile: keyPath, encoding: .utf8))
        #expect(key.kind == .ed25519 && key.bits == 256)
        let raw = try key.verifyingKey.publicKeyBytes()
        #expect(raw.count == 32)

        let digest = try SHA256.hash(Array("the header hash input\r\n".utf8))
        try Data(digest).write(to: URL(fileURLWithPath: directory.path("digest")))
        let signature = try key.signature(forDigest: digest, hash: .sha256)
        #expect(signature.count == 64)
        try Data(signature).write(to: URL(fileURLWithPath: directory.path("ours.sig")))
        let verified = try await openssl([
            "pkeyutl", "-verify", "-pubin", "-inkey", publicPath, "-rawin", "-in", directory.path("digest"), "-sigfile",
            directory.path("ours.sig"),
        ])
        #expect(verified.contains("Signature Verified Successfully"))

        _ = try await openssl(["pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", directory.path("digest"), "-out", directory.path("theirs.sig")])
        let theirs = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("theirs.sig"))))
        let verifier = try VerifyingKey(ed25519Raw: raw)
        #expect(verifier.isValidSignature(theirs, forDigest: digest, hash: .sha256))
        #expect(!verifier.isValidSignature(theirs, forDigest: try SHA256.hash([0]), hash: .sha256))
        #expect(!verifier.isValidSignature(theirs, forDigest: try SHA1.hash(Array("x".utf8)), hash: .sha1))
    }

    @Test("RFC 8032 §7.1 test 1: the seed gives the published public key")
    func ed25519KnownSeed() throws {
        let seed = try #require(Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let key = try SigningKey(ed25519Seed: seed)
        #expect(try Hex.encode(key.verifyingKey.publicKeyBytes()) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    }

    @Test("generated keys round-trip through PKCS #8 PEM and sign verifiably")
    func generatedRoundTrip() throws {
        for key in [try SigningKey.generateRSA(bits: 1024), try SigningKey.generateEd25519()] {
            let reread = try SigningKey(pem: key.pemRepresentation())
            #expect(try reread.verifyingKey.publicKeyBytes() == key.verifyingKey.publicKeyBytes())
            let digest = try SHA256.hash(Array("m".utf8))
            #expect(key.verifyingKey.isValidSignature(try reread.signature(forDigest: digest, hash: .sha256), forDigest: digest, hash: .sha256))
            #expect(!key.description.contains("PRIVATE"))
        }
    }

    @Test("hostile key bytes and signatures are typed errors or 'not valid', never a crash")
    func hostileInput() throws {
        var generator = SplitMix64(seed: 7)
        for length in [0, 1, 31, 32, 33, 64, 294, 5000, 20_000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(throws: CryptoError.invalidKey) { try VerifyingKey(rsaDER: bytes) }
            if length != 32 { #expect(throws: CryptoError.invalidKey) { try VerifyingKey(ed25519Raw: bytes) } }
            #expect(throws: CryptoError.invalidKey) { try SigningKey(pem: String(decoding: bytes, as: UTF8.self)) }
        }
        #expect(throws: CryptoError.invalidKey) { try SigningKey(ed25519Seed: [1, 2, 3]) }
        #expect(throws: CryptoError.invalidParameter) { try SigningKey.generateRSA(bits: 512) }
        let encrypted = """
            -----BEGIN ENCRYPTED PRIVATE KEY-----
            MIGjMF8GCSqGSIb3DQEFDTBSMDEGCSqGSIb3DQEFDDAkBBB1uoKLGTQ5hHnL6Vfq
            -----END ENCRYPTED PRIVATE KEY-----
            """
        #expect(throws: CryptoError.invalidKey) { try SigningKey(pem: encrypted) }

        let key = try SigningKey.generateEd25519()
        let digest = try SHA256.hash([1])
        for signature in [[], [UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xFF, count: 63), [UInt8](repeating: 1, count: 10_000)] {
            #expect(!key.verifyingKey.isValidSignature(signature, forDigest: digest, hash: .sha256))
        }
        #expect(throws: CryptoError.invalidParameter) { try key.signature(forDigest: [1, 2], hash: .sha256) }
    }

    @Test("an incremental hash over pieces equals the one-shot hash; it cannot be used after finalising")
    func incrementalHash() throws {
        let data = Array("a body\r\nof two lines\r\n".utf8)
        for function in HashFunction.allCases {
            let hash = try IncrementalHash(function)
            for piece in [data[0..<3], data[3..<3], data[3...]] { try hash.update(piece) }
            #expect(try hash.finalize() == function.hash(data))
            #expect(throws: CryptoError.invalidParameter) { try hash.update(data) }
        }
        #expect(try IncrementalHash(.sha256).finalize() == SHA256.hash([UInt8]()))
    }
}
