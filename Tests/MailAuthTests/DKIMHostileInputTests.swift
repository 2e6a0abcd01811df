import CommunityMailCrypto
import CommunityMailMessage
import Foundation
import Testing

@testable import MailAuth

/// Hostile DKIM input: typed results, bounded work, no crash. (No wall-clock bounds: the
/// bounds are on the work done — tags, signatures and bytes looked at.)
@Suite("DKIM hostile input")
struct DKIMHostileInputTests {
    static let tail = Array("From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n".utf8)

    static func verify(_ message: [UInt8]) async throws -> DKIMVerification {
        let keys = StaticKeySource()
        keys.set(DKIMKeyRecord(key: try SigningKey.generateEd25519().verifyingKey), selector: "sel", domain: "example.org")
        return await DKIMVerifier(keySource: keys).verify(MailMessage(message))
    }

    @Test("a DKIM-Signature with 10,000 tags is permerror (syntax)")
    func tenThousandTags() async throws {
        let tags = (0..<10_000).map { "t\($0)=v" }.joined(separator: "; ")
        let result = try await Self.verify(Array("DKIM-Signature: v=1; \(tags)\r\n".utf8) + Self.tail)
        #expect(result.results.map(\.status) == [.permerror])
        #expect(result.results.first?.reason == .syntax)
    }

    @Test("a 1 MB header field (and a 1 MB DKIM-Signature) gives typed results")
    func megabyteHeader() async throws {
        let big = String(repeating: "a", count: 1 << 20)
        let field = "X-Big: \(big)\r\nDKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=sel; h=from:x-big; bh=\(big); b=\(big)\r\n"
        let result = try await Self.verify(Array(field.utf8) + Self.tail)
        #expect(result.results.map(\.status) == [.permerror])
        // A real signature over a 1 MB field (relaxed: the field is canonicalized and hashed).
        let key = try SigningKey.generateEd25519()
        var configuration = DKIMSigner.Configuration(domain: "example.org", selector: "sel")
        configuration.signedHeaders += ["X-Big"]
        let big1 = Array("X-Big: \(big)\r\n".utf8) + Self.tail
        let signed = try DKIMSigner(key: key, configuration: configuration).sign(MailMessage(big1))
        let keys = StaticKeySource()
        keys.set(DKIMKeyRecord(key: key.verifyingKey), selector: "sel", domain: "example.org")
        #expect(await DKIMVerifier(keySource: keys).verify(signed).results.map(\.status) == [.pass])
    }

    @Test("thousands of signatures: 10 evaluated, the rest counted")
    func thousandsOfSignatures() async throws {
        let key = try SigningKey.generateEd25519()
        let signed = try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "sel")).signatureField(for: MailMessage(Self.tail))
        var message: [UInt8] = []
        for _ in 0..<5_000 { message += signed }
        let result = try await Self.verify(message + Self.tail)
        #expect(result.results.count == 10)
        #expect(result.signaturesNotEvaluated == 4_990)
    }

    @Test("h= with 10,000 names: each picks at most one field; a typed verdict")
    func tenThousandNames() async throws {
        let key = try SigningKey.generateEd25519()
        let keys = StaticKeySource()
        keys.set(DKIMKeyRecord(key: key.verifyingKey), selector: "sel", domain: "example.org")
        let names = Array(repeating: "from", count: 10_000).joined(separator: ":")
        // The right body hash (simple: "body\r\n"), so that the header with its 10,000 names is hashed.
        let bodyHash = Data(try SHA256.hash(Array("body\r\n".utf8))).base64EncodedString()
        let field = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=sel; h=\(names); bh=\(bodyHash); b=AAAA\r\n"
        let result = await DKIMVerifier(keySource: keys).verify(MailMessage(Array(field.utf8) + Self.tail))
        #expect(result.results.map(\.status) == [.fail])
        #expect(result.results.first?.reason == .signatureMismatch)
        let selected = SignedHeaders.select(Array(repeating: "from", count: 10_000), from: MailMessage(Self.tail).header.fields)
        #expect(selected.compactMap { $0 }.count == 1)
    }

    @Test("random bytes as signature fields and key records: typed results, never a crash")
    func noise() async throws {
        var random = SystemRandomNumberGenerator()
        let keys = StaticKeySource()
        for round in 0..<200 {
            let noise = (0..<Int.random(in: 1...400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let text = String(decoding: noise, as: UTF8.self)
            do {
                try keys.set(recordText: text, selector: "sel", domain: "example.org")
            } catch {
                #expect(error == .invalidRecord || error == .limitExceeded)
            }
            let withTags = "v=1; a=ed25519-sha256; d=example.org; s=sel; h=from; bh=\(Data(noise.prefix(32)).base64EncodedString()); b=" + Data(noise).base64EncodedString()
            for value in [noise.filter { $0 != 0x0a && $0 != 0x0d }, Array(withTags.utf8)] {
                let message = Array("DKIM-Signature: ".utf8) + value + Array("\r\n".utf8) + Self.tail
                let result = await DKIMVerifier(keySource: keys).verify(MailMessage(message))
                #expect(result.results.allSatisfy { $0.status != .pass }, "round \(round)")
            }
        }
    }
}
