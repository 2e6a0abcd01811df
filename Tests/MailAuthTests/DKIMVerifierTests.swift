import CommunityMailCrypto
import CommunityMailMessage
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@testable import MailAuth

/// The verifier's verdicts: the RFC 8463 example, every permerror/policy/temperror rule of
/// RFC 6376 §6.1 and RFC 8301, several signatures, and the configured limits.
@Suite("DKIM verifier")
struct DKIMVerifierTests {
    static let message = Array(
        """
        From: Joe SixPack <joe@football.example.com>\r
        To: Suzie Q <suzie@shopping.example.net>\r
        Subject: Is dinner ready?\r
        Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
        Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
        \r
        Hi.\r
        \r
        We lost the game.  Are you hungry yet?\r
        \r
        Joe.\r

        """.utf8)

    /// RFC 8463 Appendix A.3's Ed25519 signature of the message above (as printed in the RFC).
    static let rfc8463Signature = Array(
        """
        DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r
         d=football.example.com; i=@football.example.com;\r
         q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r
         subject : date : message-id : from : subject : date;\r
         bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r
         b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r
         Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r

        """.utf8)

    /// RFC 8463 §A.1's private key (the seed) and §A.2's public key record.
    static let rfc8463Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="

    static func rfc8463Keys() throws -> StaticKeySource {
        let keys = StaticKeySource()
        try keys.set(recordText: DKIMSigningLayerTests.rfc8463KeyRecord, selector: "brisbane", domain: "football.example.com")
        return keys
    }

    @Test("RFC 8463 §A: the published Ed25519 signature verifies with the published key")
    func rfc8463Example() async throws {
        let seed = try #require(Data(base64Encoded: Self.rfc8463Seed))
        let published = try DKIMKeyRecord(parsing: DKIMSigningLayerTests.rfc8463KeyRecord)
        #expect(try SigningKey(ed25519Seed: [UInt8](seed)).verifyingKey.publicKeyBytes() == published.key?.publicKeyBytes())
        let verification = await DKIMVerifier(keySource: try Self.rfc8463Keys()).verify(MailMessage(Self.rfc8463Signature + Self.message))
        let result = try #require(verification.results.first)
        #expect(result.status == .pass, "\(String(describing: result.reason))")
        #expect(result.domain == "football.example.com" && result.selector == "brisbane")
        #expect(result.identity == "@football.example.com")
        #expect(result.algorithm == .ed25519SHA256)
        #expect(result.headerB == "/gCrinpc")
        #expect(!result.isWeak && !result.usesBodyLength)
        // Over-signed: a second Subject added on top breaks it; a changed body byte too.
        let added = await DKIMVerifier(keySource: try Self.rfc8463Keys()).verify(
            MailMessage(Self.rfc8463Signature + Array("Subject: Free money\r\n".utf8) + Self.message))
        #expect(added.results.first?.status == .fail)
        #expect(added.results.first?.reason == .signatureMismatch)
        var changed = Self.message
        changed[changed.count - 4] = UInt8(ascii: "E")
        let body = await DKIMVerifier(keySource: try Self.rfc8463Keys()).verify(MailMessage(Self.rfc8463Signature + changed))
        #expect(body.results.first?.reason == .bodyHashMismatch)
    }

    /// RFC 6376 Appendix A.2's signed message, typed in as printed: continuation lines
    /// indented by six spaces (the `b=` value's by eight, which the hash never sees), two
    /// spaces before `[192.0.2.1]` in Received (A.1). Under simple/simple every one of those
    /// spaces is signed.
    static let rfc6376Example = Array(
        """
        DKIM-Signature: v=1; a=rsa-sha256; s=brisbane; d=example.com;\r
              c=simple/simple; q=dns/txt; i=joe@football.example.com;\r
              h=Received : From : To : Subject : Date : Message-ID;\r
              bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r
              b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r
                4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r
                KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r
                4bmp/YzhwvcubU4=;\r
        Received: from client1.football.example.com  [192.0.2.1]\r
              by submitserver.example.com with SUBMISSION;\r
              Fri, 11 Jul 2003 21:01:54 -0700 (PDT)\r
        From: Joe SixPack <joe@football.example.com>\r
        To: Suzie Q <suzie@shopping.example.net>\r
        Subject: Is dinner ready?\r
        Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
        Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
        \r
        Hi.\r
        \r
        We lost the game. Are you hungry yet?\r
        \r
        Joe.\r

        """.utf8)

    /// RFC 6376 Appendix A.3's key record (a 1024-bit RSA key: RFC 8301's minimum).
    static let rfc6376KeyRecord =
        "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"

    @Test("RFC 6376 Appendix A: the example verifies as printed, with its 1024-bit key; one space less in Received fails")
    func rfc6376Example() async throws {
        let keys = StaticKeySource()
        try keys.set(recordText: Self.rfc6376KeyRecord, selector: "brisbane", domain: "example.com")
        let verifier = DKIMVerifier(keySource: keys)
        let result = try #require(await verifier.verify(MailMessage(Self.rfc6376Example)).results.first)
        #expect(result.status == .pass, "\(String(describing: result.reason))")
        #expect(result.keyBits == 1024 && result.identity == "joe@football.example.com" && result.headerB == "AuUoFEfD")
        let text = String(decoding: Self.rfc6376Example, as: UTF8.self).replacingOccurrences(of: ".com  [", with: ".com [")
        #expect(await verifier.verify(MailMessage(Array(text.utf8))).results.first?.reason == .signatureMismatch)
    }

    // MARK: Helpers

    static let rsa = Result { try SigningKey.generateRSA(bits: 1024) }
    static let ed = Result { try SigningKey.generateEd25519() }

    /// A signature made by hand through the shared layer, for tags our signer never writes
    /// (rsa-sha1, l=, odd i=): `tags` is everything before `bh=`.
    static func handSigned(_ message: [UInt8], key: SigningKey, algorithm: SignatureAlgorithm, tags: String, limit: Int? = nil)
        throws -> [UInt8]
    {
        let parsed = MailMessage(message)
        let canonicalizer = try BodyCanonicalizer(.relaxed, hash: algorithm.hash, limit: limit)
        try canonicalizer.update(parsed.body)
        let bodyHash = Data(try canonicalizer.finalize()).base64EncodedString()
        let field = "DKIM-Signature: v=1; a=\(algorithm.rawValue); c=relaxed/relaxed; \(tags);\r\n bh=\(bodyHash); b="
        let names = ["from", "to", "subject"]
        let input = try SignedHeaders.hashInput(
            selected: SignedHeaders.select(names, from: parsed.header.fields), signatureField: Array((field + "\r\n").utf8)[...],
            canonicalization: .relaxed)
        let signature = try key.signature(forDigest: try algorithm.hash.hash(input), hash: algorithm.hash)
        return Array((field + Data(signature).base64EncodedString() + "\r\n").utf8) + message
    }

    static func verify(_ message: [UInt8], record: String? = nil, key: SigningKey? = nil, configure: (inout DKIMVerifier.Configuration) -> Void = { _ in })
        async throws -> DKIMResult
    {
        let keys = StaticKeySource()
        if let record {
            try keys.set(recordText: record, selector: "sel", domain: "example.org")
        } else if let key {
            keys.set(DKIMKeyRecord(key: key.verifyingKey), selector: "sel", domain: "example.org")
        }
        var configuration = DKIMVerifier.Configuration()
        configure(&configuration)
        let verification = await DKIMVerifier(keySource: keys, configuration: configuration).verify(MailMessage(message))
        return try #require(verification.results.first)
    }

    static let plain = Array("From: a@example.org\r\nTo: b@example.net\r\nSubject: hello\r\n\r\nbody line\r\n".utf8)

    // MARK: Rules

    @Test("printing a verification (its description, its reflection, a dump) shows no i= address")
    func descriptionsHideTheIdentity() async throws {
        let keys = StaticKeySource()
        try keys.set(recordText: Self.rfc6376KeyRecord, selector: "brisbane", domain: "example.com")
        let verification = await DKIMVerifier(keySource: keys).verify(MailMessage(Self.rfc6376Example))
        #expect(verification.results.first?.identity == "joe@football.example.com")
        var dumped = ""
        dump(verification, to: &dumped)
        for text in [String(describing: verification), String(reflecting: verification), dumped] {
            #expect(!text.contains("joe@"), "\(text)")
            #expect(text.contains("example.com"))
        }
        let results = ARCAuthenticationResults(instance: 1, authservID: "mx.example.net", results: "spf=pass smtp.mailfrom=joe@example.org")
        var dumpedResults = ""
        dump(results, to: &dumpedResults)
        for text in [String(reflecting: [results]), dumpedResults] { #expect(!text.contains("joe@")) }
    }

    @Test("rsa-sha1 verifies but is policy (RFC 8301) unless accepted; it is always reported weak")
    func sha1() async throws {
        let key = try Self.rsa.get()
        let signed = try Self.handSigned(Self.plain, key: key, algorithm: .rsaSHA1, tags: "d=example.org; s=sel; h=from:to:subject")
        let refused = try await Self.verify(signed, key: key)
        #expect(refused.status == .policy && refused.reason == .weakAlgorithm && refused.isWeak)
        let accepted = try await Self.verify(signed, key: key) { $0.acceptsSHA1 = true }
        #expect(accepted.status == .pass && accepted.isWeak)
    }

    @Test("l=: content appended after the signed length still passes, reported; refused by configuration it is policy")
    func bodyLength() async throws {
        let key = try Self.ed.get()
        let signed = try Self.handSigned(
            Self.plain, key: key, algorithm: .ed25519SHA256, tags: "d=example.org; s=sel; h=from:to:subject; l=11", limit: 11)
        let appended = signed + Array("appended by a list\r\n".utf8)
        let result = try await Self.verify(appended, key: key)
        #expect(result.status == .pass && result.usesBodyLength)
        let refused = try await Self.verify(appended, key: key) { $0.acceptsBodyLength = false }
        #expect(refused.status == .policy && refused.reason == .bodyLengthRefused)
        let beyond = try Self.handSigned(
            Self.plain, key: key, algorithm: .ed25519SHA256, tags: "d=example.org; s=sel; h=from:to:subject; l=5000", limit: 5000)
        #expect(try await Self.verify(beyond, key: key).reason == .bodyLengthBeyondBody)
    }

    @Test("x= in the past is expired; t= in the future is refused; both within the clock skew pass")
    func times() async throws {
        let key = try Self.ed.get()
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        var configuration = DKIMSigner.Configuration(domain: "example.org", selector: "sel")
        configuration.validity = .seconds(3600)
        configuration.clock = clock
        let signed = try DKIMSigner(key: key, configuration: configuration).sign(MailMessage(Self.plain)).bytes
        let fresh = try await Self.verify(signed, key: key) { $0.clock = clock }
        #expect(fresh.status == .pass)
        clock.advance(by: 3600 + 200)
        #expect(try await Self.verify(signed, key: key) { $0.clock = clock }.status == .pass)
        clock.advance(by: 200)
        let expired = try await Self.verify(signed, key: key) { $0.clock = clock }
        #expect(expired.status == .permerror && expired.reason == .expired)
        let early = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000 - 301))
        #expect(try await Self.verify(signed, key: key) { $0.clock = early }.reason == .timestampInFuture)
    }

    @Test(
        "key records: revoked, k= mismatch, h= excluding the hash, s= not email, t=s with a subdomain i=, too short, malformed",
        arguments: [
            ("p=", DKIMResult.Reason.keyRevoked),
            ("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", .keyKindMismatch),
            ("h=sha1; p=KEY", .hashNotAllowed),
            ("s=other; p=KEY", .serviceNotAllowed),
            ("t=s; p=KEY", .identityMismatch),
            ("k=rsa; p=!!", .keyMalformed),
        ])
    func keyRules(_ record: String, _ reason: DKIMResult.Reason) async throws {
        let key = try Self.rsa.get()
        let publicKey = try #require(DKIMKeyRecord.text(publishing: key.verifyingKey).components(separatedBy: "p=").last)
        let signed = try Self.handSigned(
            Self.plain, key: key, algorithm: .rsaSHA256, tags: "d=example.org; s=sel; i=user@mail.example.org; h=from:to:subject")
        let keys = StaticKeySource()
        do {
            try keys.set(recordText: record.replacingOccurrences(of: "KEY", with: publicKey), selector: "sel", domain: "example.org")
        } catch {
            keys.set(.malformed(error), selector: "sel", domain: "example.org")
        }
        let result = try #require(await DKIMVerifier(keySource: keys).verify(MailMessage(signed)).results.first)
        #expect(result.status == .permerror)
        #expect(result.reason == reason)
        // The same signature with the key as published passes.
        #expect(try await Self.verify(signed, key: key).status == .pass)
    }

    @Test("RSA keys under the minimum are refused (1024 by default, RFC 8301)")
    func shortKeys() async throws {
        let key = try Self.rsa.get()
        let signed = try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "sel")).sign(MailMessage(Self.plain)).bytes
        #expect(try await Self.verify(signed, key: key).status == .pass)
        let refused = try await Self.verify(signed, key: key) { $0.minimumRSABits = 2048 }
        #expect(refused.status == .permerror && refused.reason == .keyTooShort && refused.keyBits == 1024)
    }

    @Test("a 512-bit RSA key (openssl genrsa) is refused by default: the verifier says keyTooShort, the signer will not take it")
    func fiveHundredTwelveBits() async throws {
        let directory = try TemporaryDirectory(prefix: "dkim-short")
        let path = directory.path("short.pem")
        let (status, output) = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/openssl"), ["genrsa", "-traditional", "-out", path, "512"])
        try #require(status == 0, "openssl genrsa 512 failed: \(output)")
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let key = try SigningKey(pem: pem)
        #expect(key.bits == 512)
        let signed = try Self.handSigned(Self.plain, key: key, algorithm: .rsaSHA256, tags: "d=example.org; s=sel; h=from:to:subject")
        let refused = try await Self.verify(signed, key: key)
        #expect(refused.status == .permerror && refused.reason == .keyTooShort && refused.keyBits == 512)
        #expect(try await Self.verify(signed, key: key) { $0.minimumRSABits = 512 }.status == .pass)
        #expect(throws: MailAuthError.invalidKey) { try DKIMSigner(privateKeyPEM: pem, configuration: .init(domain: "example.org", selector: "sel")) }
    }

    @Test("lookups: no key is permerror, a DNS failure temperror, several records permerror")
    func lookups() async throws {
        let key = try Self.ed.get()
        let signed = try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "sel")).sign(MailMessage(Self.plain)).bytes
        let none = try await Self.verify(signed)
        #expect(none.status == .permerror && none.reason == .keyNotFound)
        for (outcome, status) in [(DKIMKeyLookup.temporaryFailure, DKIMResult.Status.temperror), (.multipleRecords, .permerror)] {
            let keys = StaticKeySource()
            keys.set(outcome, selector: "sel", domain: "example.org")
            #expect(await DKIMVerifier(keySource: keys).verify(MailMessage(signed)).results.first?.status == status)
        }
    }

    @Test(
        "signature syntax: each broken rule is permerror (syntax)",
        arguments: [
            "v=2; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA",
            "v=1; a=rsa-sha512; d=example.org; s=sel; h=from; bh=B; b=AAAA",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=to:subject; bh=B; b=AAAA",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA; i=a@example.com",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA; t=20; x=10",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA; t=20; x=20",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA; q=http",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA; l=12a",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=AAAA; b=AAAA",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B",
            "v=1; a=rsa-sha256; d=exa mple.org; s=sel; h=from; bh=B; b=AAAA",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from::to; bh=B; b=AAAA",
            "v=1; a=rsa-sha256; c=relaxed/strict; d=example.org; s=sel; h=from; bh=B; b=AAAA",
            "v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=B; b=AAAA; x=1234567890123456789012",
        ])
    func syntax(_ value: String) async throws {
        let bodyHash = Data(repeating: 1, count: 32).base64EncodedString()
        let field = "DKIM-Signature: " + value.replacingOccurrences(of: "bh=B", with: "bh=\(bodyHash)") + "\r\n"
        let result = try await Self.verify(Array(field.utf8) + Self.plain, key: try Self.ed.get())
        #expect(result.status == .permerror)
        #expect(result.reason == .syntax)
        #expect(result.signature == nil)
    }

    @Test("several signatures: each gets its own verdict, top first; at most 10 are evaluated")
    func severalSignatures() async throws {
        let key = try Self.ed.get()
        let signer = try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "sel"))
        var message = MailMessage(Self.plain)
        for _ in 0..<3 { message = try signer.sign(message) }
        var broken = Array("DKIM-Signature: v=1; junk\r\n".utf8) + message.bytes
        let keys = StaticKeySource()
        keys.set(DKIMKeyRecord(key: key.verifyingKey), selector: "sel", domain: "example.org")
        let verification = await DKIMVerifier(keySource: keys).verify(MailMessage(broken))
        #expect(verification.results.map(\.status) == [.permerror, .pass, .pass, .pass])
        #expect(verification.passingDomains == ["example.org", "example.org", "example.org"])
        for _ in 0..<9 { broken = Array("DKIM-Signature: v=1\r\n".utf8) + broken }
        let limited = await DKIMVerifier(keySource: keys).verify(MailMessage(broken))
        #expect(limited.results.count == 10 && limited.signaturesNotEvaluated == 3)
    }

    @Test("a message over the size limit is neutral (not evaluated)")
    func sizeLimit() async throws {
        let key = try Self.ed.get()
        let signed = try DKIMSigner(key: key, configuration: .init(domain: "example.org", selector: "sel")).sign(MailMessage(Self.plain)).bytes
        let result = try await Self.verify(signed, key: key) { $0.maximumMessageSize = 100 }
        #expect(result.status == .neutral && result.reason == .messageTooLarge && result.domain == "example.org")
    }
}
