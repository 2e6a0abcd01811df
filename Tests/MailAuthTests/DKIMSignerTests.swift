import CommunityMailCrypto
import CommunityMailMessage
import CommunityMailSystem
import Foundation
import Testing

@testable import MailAuth

/// The signer's field: tags, folding, the header list, over-signing; what it refuses.
@Suite("DKIM signer")
struct DKIMSignerTests {
    static let message = Array(
        "Received: from a\r\nFrom: a@example.org\r\nTo: b@example.net\r\nTo: c@example.net\r\nSubject: hi\r\nX-Other: not signed\r\n\r\nbody\r\n".utf8)

    @Test("the field: v, a, c, d, s, t, x, i, h, bh, then b= last; lines at most 78 columns")
    func field() throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        for key in [try SigningKey.generateRSA(bits: 2048), try SigningKey.generateEd25519()] {
            var configuration = DKIMSigner.Configuration(domain: "mail.example.org", selector: "2026-12")
            configuration.clock = clock
            configuration.validity = .seconds(86_400)
            configuration.identity = "news@mail.example.org"
            configuration.headerCanonicalization = .simple
            let signer = try DKIMSigner(key: key, configuration: configuration)
            let field = try signer.signatureField(for: MailMessage(Self.message))
            let text = String(decoding: field, as: UTF8.self)
            #expect(text.hasPrefix("DKIM-Signature: v=1; a=\(key.kind == .rsa ? "rsa-sha256" : "ed25519-sha256"); c=simple/relaxed;"))
            #expect(text.hasSuffix("\r\n"))
            for line in text.dropLast(2).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
            let parsed = try DKIMSignature(value: HeaderBlock(field[...]).fields[0].rawValue)
            #expect(parsed.domain == "mail.example.org" && parsed.selector == "2026-12")
            #expect(parsed.timestamp == 1_800_000_000 && parsed.expiration == 1_800_086_400)
            #expect(parsed.identity == "news@mail.example.org")
            // RFC 6376 §5.4.1's fields present (both To fields), each over-signed field once
            // more (absent ones once: nobody can add them); never Received or X-Other.
            #expect(
                parsed.signedHeaders == [
                    "from", "from", "reply-to", "subject", "subject", "date", "to", "to", "to", "cc", "message-id", "mime-version",
                    "content-type",
                ])
            let tagNames = try TagList(parsing: HeaderBlock(field[...]).fields[0].rawValue).tags.map(\.name)
            #expect(tagNames.last == "b" && tagNames.contains("bh"))
        }
    }

    @Test("what it refuses: no From; a bad selector, domain or identity")
    func refusals() throws {
        let key = try SigningKey.generateEd25519()
        let signer = try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "sel"))
        #expect(throws: MailAuthError.invalidMessage) { try signer.sign(MailMessage(Array("To: a@b\r\n\r\nx\r\n".utf8))) }
        #expect(throws: MailAuthError.invalidArgument) { try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "a;b")) }
        #expect(throws: MailAuthError.invalidArgument) { try DKIMSigner(key: key, configuration: .init(domain: "exa mple", selector: "s")) }
        var outside = DKIMSigner.Configuration(domain: "example.org", selector: "sel")
        outside.identity = "user@example.com"
        #expect(throws: MailAuthError.invalidArgument) { try DKIMSigner(key: key, configuration: outside) }
        var instant = DKIMSigner.Configuration(domain: "example.org", selector: "sel")
        instant.validity = .zero
        #expect(throws: MailAuthError.invalidArgument) { try DKIMSigner(key: key, configuration: instant) }
    }

    @Test("what it signs verifies, for every canonicalization pair; an added From breaks it (over-signing)")
    func roundTrip() async throws {
        let key = try SigningKey.generateEd25519()
        let keys = StaticKeySource()
        keys.set(DKIMKeyRecord(key: key.verifyingKey), selector: "sel", domain: "example.org")
        let verifier = DKIMVerifier(keySource: keys)
        for header in Canonicalization.allCases {
            for body in Canonicalization.allCases {
                var configuration = DKIMSigner.Configuration(domain: "example.org", selector: "sel")
                configuration.headerCanonicalization = header
                configuration.bodyCanonicalization = body
                let signed = try DKIMSigner(key: key, configuration: configuration).sign(MailMessage(Self.message))
                #expect(await verifier.verify(signed).results.first?.status == .pass)
                let field = HeaderBlock(signed.bytes[...]).fields[0].rawBytes
                let added = Array(field) + Array("From: mallory@example.com\r\n".utf8) + Self.message
                #expect(await verifier.verify(MailMessage(added)).results.first?.status == .fail)
            }
        }
    }
}

extension DKIMSignerTests {
    @Test("keys without CommunityMailCrypto: PEM (PKCS #8 and PKCS #1) and Ed25519 seeds; the record to publish verifies")
    func hostKeys() async throws {
        let rsa = try SigningKey.generateRSA(bits: 1024)
        let fromPEM = try DKIMSigner(privateKeyPEM: try rsa.pemRepresentation(), configuration: .init(domain: "example.org", selector: "sel"))
        let fromSeed = try DKIMSigner(ed25519Seed: [UInt8](repeating: 7, count: 32), configuration: .init(domain: "example.org", selector: "ed"))
        let keys = StaticKeySource()
        try keys.set(recordText: try fromPEM.publicKeyRecord(), selector: "sel", domain: "example.org")
        keys.set(fromSeed.keyRecord, selector: "ed", domain: "example.org")
        let signed = try fromSeed.sign(try fromPEM.sign(MailMessage(Self.message)))
        #expect(await DKIMVerifier(keySource: keys).verify(signed).results.map(\.status) == [.pass, .pass])
        #expect(throws: MailAuthError.invalidKey) { try DKIMSigner(privateKeyPEM: "not a key", configuration: .init(domain: "a.org", selector: "s")) }
        #expect(throws: MailAuthError.invalidKey) { try DKIMSigner(ed25519Seed: [1, 2], configuration: .init(domain: "a.org", selector: "s")) }
    }
}
