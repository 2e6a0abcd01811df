import CommunityMailCrypto
import CommunityMailMessage
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// The shared signing layer (Sources/MailAuth/Signing) against RFC 6376's own examples and
/// rules; the interop suites (DKIMInteropTests) check the same code against dkimpy.
@Suite("DKIM signing layer")
struct DKIMSigningLayerTests {
    private func bytes(_ text: String) -> ArraySlice<UInt8> { Array(text.utf8)[...] }

    private func bodyHash(_ body: String, _ canonicalization: Canonicalization, limit: Int? = nil) throws -> String {
        let canonicalizer = try BodyCanonicalizer(canonicalization, hash: .sha256, limit: limit)
        try canonicalizer.update(bytes(body))
        return Data(try canonicalizer.finalize()).base64EncodedString()
    }

    private func sha256Base64(_ text: String) throws -> String { Data(try SHA256.hash(Array(text.utf8))).base64EncodedString() }

    // MARK: Tag lists (RFC 6376 §3.2)

    @Test("tag lists: FWS around names and values, a trailing ';', values keep inner spaces")
    func tagListGrammar() throws {
        let list = try TagList(parsing: bytes("v=1;  a = rsa-sha256 ;\r\n\tb=ab cd\r\n ef ; n = two words;"))
        #expect(list.tags.map(\.name) == ["v", "a", "b", "n"])
        #expect(list["a"] == "rsa-sha256")
        #expect(list["b"] == "ab cd\r\n ef")
        #expect(list["n"] == "two words")
        #expect(TagList.base64Bytes(list["b"] ?? "") == nil)
        #expect(try TagList(parsing: bytes("")).tags.isEmpty)
        #expect(try TagList(parsing: bytes("x=")).tags.first?.value == "")
    }

    @Test(
        "tag lists: duplicates, empty specs, bad names, control bytes are invalid records",
        arguments: ["a=1; a=2", "a=1;; b=2", "1a=x", "a", "=x", "a=1; b", "a=\u{01}", "a=b\u{7f}"])
    func tagListErrors(_ text: String) {
        #expect(throws: MailAuthError.invalidRecord) { try TagList(parsing: Array(text.utf8)[...]) }
    }

    @Test("tag lists are bounded: 64 tags, 64 KiB")
    func tagListLimits() throws {
        let sixtyFour = (0..<64).map { "t\($0)=x" }.joined(separator: ";")
        #expect(try TagList(parsing: bytes(sixtyFour)).tags.count == 64)
        #expect(throws: MailAuthError.limitExceeded) { try TagList(parsing: Array((sixtyFour + ";t64=x").utf8)[...]) }
        let tenThousand = (0..<10_000).map { "t\($0)=x" }.joined(separator: ";")
        #expect(throws: MailAuthError.limitExceeded) { try TagList(parsing: Array(tenThousand.utf8)[...]) }
        #expect(throws: MailAuthError.limitExceeded) { try TagList(parsing: [UInt8](repeating: 0x61, count: 65 * 1024)[...]) }
    }

    @Test("tag value ranges point at the value's bytes, leading whitespace included")
    func valueRanges() throws {
        let raw = bytes("a=1; b= xy ;c=2")
        let list = try TagList(parsing: raw)
        let range = try #require(list.tag("b")?.valueRange)
        #expect(String(decoding: raw[range], as: UTF8.self) == " xy")
    }

    // MARK: Canonicalization (RFC 6376 §3.4.6's example)

    @Test("RFC 6376 §3.4.6 example, header: relaxed lowercases, unfolds, compresses; simple keeps")
    func headerExample() {
        let fieldA = bytes("A: X\r\n")
        let fieldB = bytes("B : Y\t\r\n\tZ  \r\n")
        #expect(Canonicalization.relaxed.canonicalHeader(fieldA) == Array("a:X\r\n".utf8))
        #expect(Canonicalization.relaxed.canonicalHeader(fieldB) == Array("b:Y Z\r\n".utf8))
        #expect(Canonicalization.simple.canonicalHeader(fieldA) == Array(fieldA))
        #expect(Canonicalization.simple.canonicalHeader(fieldB) == Array(fieldB))
    }

    @Test("RFC 6376 §3.4.6 example, body: relaxed and simple")
    func bodyExample() throws {
        let body = " C \r\nD \t E\r\n\r\n\r\n"
        #expect(try bodyHash(body, .relaxed) == sha256Base64(" C\r\nD E\r\n"))
        #expect(try bodyHash(body, .simple) == sha256Base64(" C \r\nD \t E\r\n"))
    }

    @Test("empty bodies: simple is one CRLF, relaxed is nothing (RFC 6376 §3.4.3, §3.4.4)")
    func emptyBodies() throws {
        // The well-known empty-body hashes: SHA-256 of "\r\n" and of "".
        for body in ["", "\r\n", "\r\n\r\n\n"] {
            #expect(try bodyHash(body, .simple) == "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=")
        }
        for body in ["", "\r\n", " \t \r\n\r\n"] {
            #expect(try bodyHash(body, .relaxed) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        }
    }

    @Test("bare LF ends a line like CRLF; a bare CR is a byte; a last line without ending gets CRLF")
    func lineEndings() throws {
        for canonicalization in Canonicalization.allCases {
            #expect(try bodyHash("a\nb \n\n", canonicalization) == bodyHash("a\r\nb \r\n\r\n", canonicalization))
            #expect(try bodyHash("a\r\nb", canonicalization) == bodyHash("a\r\nb\r\n", canonicalization))
            #expect(try bodyHash("a\rb\r\n", canonicalization) == sha256Base64("a\rb\r\n"))
        }
        // RFC 6376: trailing whitespace goes at the end of every line, the unterminated last too.
        #expect(try bodyHash("a\r\nb  ", .relaxed) == sha256Base64("a\r\nb\r\n"))
    }

    @Test("streaming in pieces of every size gives the one-shot hash")
    func streaming() throws {
        let body = Array("x \t y\r\n\r\n  \r\nline\nbare\rcr\r\n\r\n\r\nend  \r\n\r\n".utf8)
        for canonicalization in Canonicalization.allCases {
            let whole = try bodyHash(String(decoding: body, as: UTF8.self), canonicalization)
            for size in 1...7 {
                let canonicalizer = try BodyCanonicalizer(canonicalization, hash: .sha256)
                for start in stride(from: 0, to: body.count, by: size) {
                    try canonicalizer.update(body[start..<min(start + size, body.count)])
                }
                #expect(Data(try canonicalizer.finalize()).base64EncodedString() == whole)
            }
        }
    }

    /// RFC 6376 section 3.4.3 and 3.4.4 read literally, line by line over the whole body: the
    /// reference the streaming canonicalizer must agree with. Lines end at LF (a CR just
    /// before it belongs to the line end); a bare CR is content.
    private func referenceCanonical(_ body: [UInt8], _ canonicalization: Canonicalization) -> [UInt8] {
        let split = body.split(separator: 0x0a, omittingEmptySubsequences: false)
        var lines = split.enumerated().map { index, line -> [UInt8] in
            var line = Array(line)
            // Only a CR with an LF after it is part of a line end.
            if index < split.count - 1, line.last == 0x0d { line.removeLast() }
            return line
        }
        // The text after the last LF is a line only when it is not empty.
        if lines.last?.isEmpty == true { lines.removeLast() }
        if canonicalization == .relaxed {
            lines = lines.map { line in
                var output: [UInt8] = []
                var space = false
                for byte in line {
                    if byte == 0x20 || byte == 0x09 {
                        space = true
                    } else {
                        if space { output.append(0x20) }
                        space = false
                        output.append(byte)
                    }
                }
                return output
            }
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if lines.isEmpty { return canonicalization == .simple ? [0x0d, 0x0a] : [] }
        return lines.flatMap { $0 + [0x0d, 0x0a] }
    }

    @Test("streaming canonicalization equals RFC 6376's rules read literally, on random bodies cut at random")
    func randomBodiesAgainstTheReference() throws {
        var generator = SystemRandomNumberGenerator()
        // Pieces chosen to hit every rule: whitespace runs, bare and doubled CRs, empty lines.
        let pieces: [[UInt8]] = [
            Array("word".utf8), Array("x".utf8), [0x20], [0x20, 0x20], [0x09], [0x20, 0x09, 0x20],
            [0x0d, 0x0a], [0x0a], [0x0d], [0x0d, 0x0d, 0x0a], [0xc3, 0xa9], Array("longer words here".utf8),
        ]
        for round in 0..<600 {
            var body: [UInt8] = []
            let length = round < 500 ? Int.random(in: 0...120, using: &generator) : Int.random(in: 2_000...12_000, using: &generator)
            for _ in 0..<length { body += pieces.randomElement(using: &generator)! }
            if round % 50 == 0 { body += [UInt8](repeating: 0x61, count: 70_000) + [UInt8](repeating: 0x20, count: 40_000) }
            if round % 50 == 1 { body += [UInt8](repeating: 0x0a, count: 40_000) + Array("end".utf8) }
            for canonicalization in Canonicalization.allCases {
                let reference = referenceCanonical(body, canonicalization)
                let limit: Int? = round % 3 == 0 ? Int.random(in: 0...(reference.count + 5), using: &generator) : nil
                let canonicalizer = try BodyCanonicalizer(canonicalization, hash: .sha256, limit: limit)
                var start = 0
                while start < body.count {
                    let size = round % 2 == 0 ? body.count : Int.random(in: 1...64, using: &generator)
                    try canonicalizer.update(body[start..<min(start + size, body.count)])
                    start += size
                }
                let digest = try canonicalizer.finalize()
                let expected = Array(reference.prefix(limit ?? reference.count))
                #expect(digest == (try SHA256.hash(expected)), "round \(round), \(canonicalization)")
                #expect(canonicalizer.canonicalLength == reference.count, "round \(round), \(canonicalization)")
            }
        }
    }

    @Test("base64 tag values: what Foundation encodes decodes, folded or not; anything else is refused")
    func base64Values() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Data(bytes).base64EncodedString()
            #expect(TagList.base64Bytes(text) == bytes)
            // FWS anywhere in the value (RFC 6376 section 3.5).
            let folded = text.enumerated().map { $0.offset % 5 == 4 ? "\r\n\t\($0.element)" : " \($0.element)" }.joined()
            #expect(TagList.base64Bytes(folded) == bytes)
        }
        for bad in ["a", "QQ", "QUI", "abc", "a===", "=abc", "ab==cd==", "ab$d", "QQ==QQ==", "é"] {
            #expect(TagList.base64Bytes(bad) == nil, "\(bad)")
            #expect(Data(base64Encoded: bad) == nil, "Foundation agrees on \(bad)")
        }
        // Padding inside a group or after a complete one is not base64 (RFC 4648 section 3.3;
        // Foundation lets both through).
        #expect(TagList.base64Bytes("ab=c") == nil)
        #expect(TagList.base64Bytes("abcd=") == nil)
    }

    @Test("l= hashes the first bytes of the canonical body and counts them all")
    func lengthLimit() throws {
        #expect(try bodyHash("abc\r\ndef\r\n", .simple, limit: 5) == sha256Base64("abc\r\n"))
        #expect(try bodyHash("abc\r\ndef\r\n", .simple, limit: 0) == sha256Base64(""))
        let canonicalizer = try BodyCanonicalizer(.relaxed, hash: .sha256, limit: 3)
        try canonicalizer.update(bytes("a  b\r\n\r\n"))
        _ = try canonicalizer.finalize()
        #expect(canonicalizer.canonicalLength == 5)
    }

    @Test("c= values")
    func canonicalizationPairs() throws {
        #expect(try Canonicalization.pair(fromTagValue: nil) == (.simple, .simple))
        #expect(try Canonicalization.pair(fromTagValue: "relaxed") == (.relaxed, .simple))
        #expect(try Canonicalization.pair(fromTagValue: "relaxed/relaxed") == (.relaxed, .relaxed))
        #expect(try Canonicalization.pair(fromTagValue: "simple/relaxed") == (.simple, .relaxed))
        for bad in ["", "loose", "relaxed/", "a/b/c", "simple/strict"] {
            #expect(throws: MailAuthError.invalidRecord) { try Canonicalization.pair(fromTagValue: bad) }
        }
    }

    // MARK: Header selection (RFC 6376 §5.4.2)

    @Test("h= picks bottom-up; repeated names take earlier fields; absent names are null")
    func selection() {
        let header = HeaderBlock(bytes("From: biz\r\nFoo: bar\r\nfrom: baz\r\nSubject: boring\r\n\r\n"))
        let picked = SignedHeaders.select(["from", "subject", "to", "FROM", "from"], from: header.fields)
        #expect(picked.map { $0?.unfoldedValue } == ["baz", "boring", nil, "biz", nil])
    }

    @Test("h= selection at every size (scanned when small, through tables when large) follows RFC 6376 section 5.4.2")
    func selectionAtEverySize() {
        var generator = SystemRandomNumberGenerator()
        let pool = ["From", "To", "Subject", "Date", "X-A"]
        for round in 0..<300 {
            let fieldCount = round < 150 ? Int.random(in: 0...12, using: &generator) : Int.random(in: 40...120, using: &generator)
            let nameCount = round < 150 ? Int.random(in: 1...12, using: &generator) : Int.random(in: 65...200, using: &generator)
            let text = (0..<fieldCount).map { "\(pool.randomElement(using: &generator)!): v\($0)\r\n" }.joined() + "\r\n"
            let fields = HeaderBlock(bytes(text)).fields
            let names = (0..<nameCount).map { _ in
                let name = pool.randomElement(using: &generator)!
                return Bool.random(using: &generator) ? name.uppercased() : name
            }
            // The k-th mention of a name takes the k-th field of that name from the bottom.
            var mentions: [String: Int] = [:]
            let expected = names.map { name -> String? in
                let key = name.lowercased()
                let k = mentions[key, default: 0]
                mentions[key] = k + 1
                let matching = fields.filter { $0.lowercasedName == key }
                return k < matching.count ? matching[matching.count - 1 - k].unfoldedValue : nil
            }
            #expect(SignedHeaders.select(names, from: fields).map { $0?.unfoldedValue } == expected, "round \(round)")
        }
    }

    @Test("the signature field is hashed with only b='s value emptied and no final CRLF")
    func signatureField() throws {
        let field = bytes("DKIM-Signature: v=1; bh=AAAA;\r\n b=abc\r\n def ; d=x\r\n")
        #expect(try SignedHeaders.withEmptiedSignature(field) == Array("DKIM-Signature: v=1; bh=AAAA;\r\n b=; d=x\r\n".utf8))
        let last = bytes("DKIM-Signature: a=x; b=\r\n\tQUJD\r\n\tREVG\r\n")
        var simple: [UInt8] = []
        try SignedHeaders.appendSignatureField(last, canonicalization: .simple, to: &simple)
        #expect(simple == Array("DKIM-Signature: a=x; b=".utf8))
        var relaxed: [UInt8] = []
        try SignedHeaders.appendSignatureField(last, canonicalization: .relaxed, to: &relaxed)
        #expect(relaxed == Array("dkim-signature:a=x; b=".utf8))
        #expect(throws: MailAuthError.invalidRecord) { try SignedHeaders.withEmptiedSignature(self.bytes("DKIM-Signature: a=x\r\n")) }
    }

    @Test("names to sign: each wanted field as often as present, over-signed ones once more, From always")
    func namesToSign() {
        let header = HeaderBlock(bytes("To: a\r\nTo: b\r\nSubject: s\r\nFrom: f\r\nX-Other: o\r\n\r\n"))
        #expect(SignedHeaders.namesToSign(["To", "Subject", "Date", "to"], overSigning: ["subject", "Date"], in: header.fields)
            == ["from", "to", "to", "subject", "subject", "date"])
    }

    @Test("folding: lines within 78 columns, h= between names, b= wrapped; no h= for a seal")
    func folding() {
        let tags = (0..<12).map { "t\($0)=\(String(repeating: "v", count: $0 * 3))" }
        let names = Array(repeating: "content-transfer-encoding", count: 9)
        let folded = SignatureFieldFolding.fold(prefix: "DKIM-Signature:", tags: tags, headerNames: names)
        let signature = SignatureFieldFolding.wrap(String(repeating: "A", count: 344), firstLineUsed: 3)
        for line in (folded + ";\r\n b=" + signature).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "").hasSuffix("h=" + names.joined(separator: ":")))
        #expect(signature.replacingOccurrences(of: "\r\n ", with: "") == String(repeating: "A", count: 344))
        let seal = SignatureFieldFolding.fold(prefix: "ARC-Seal:", tags: ["i=1", "a=rsa-sha256", "cv=none"], headerNames: nil)
        #expect(seal == "ARC-Seal: i=1; a=rsa-sha256; cv=none")
    }

    // MARK: Algorithms and key records (RFC 6376 §3.6.1, RFC 8463 §4)

    @Test("a= names")
    func algorithms() {
        #expect(SignatureAlgorithm(tagValue: "RSA-SHA256") == .rsaSHA256)
        #expect(SignatureAlgorithm(tagValue: "ed25519-sha256")?.keyKind == .ed25519)
        #expect(SignatureAlgorithm(tagValue: "rsa-sha1")?.isWeak == true)
        #expect(SignatureAlgorithm(tagValue: "rsa-sha1")?.canSign == false)
        #expect(SignatureAlgorithm(tagValue: "dsa-sha256") == nil)
    }

    /// RFC 8463 §A.2's published Ed25519 key.
    static let rfc8463KeyRecord = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    @Test("key records: RFC 8463's Ed25519 record, an RSA record, flags, hashes, revocation")
    func keyRecords() throws {
        let ed = try DKIMKeyRecord(parsing: Self.rfc8463KeyRecord)
        #expect(ed.keyKind == .ed25519)
        #expect(ed.key?.bits == 256)
        #expect(ed.allows(.ed25519SHA256))
        let rsaKey = try SigningKey.generateRSA(bits: 1024)
        let text = try DKIMKeyRecord.text(publishing: rsaKey.verifyingKey)
        let rsa = try DKIMKeyRecord(parsing: text + "; h=sha256; t=y:s; s=email; n=a note")
        #expect(rsa.keyKind == .rsa && rsa.key?.bits == 1024)
        #expect(rsa.allows(.rsaSHA256) && !rsa.allows(.rsaSHA1))
        #expect(rsa.isTesting && rsa.requiresStrictIdentity && rsa.allowsEmail)
        #expect(try DKIMKeyRecord(parsing: "v=DKIM1; p=").isRevoked)
        #expect(try !DKIMKeyRecord(parsing: "p=\(TagList.items(text, separator: ";").last?.dropFirst(2) ?? ""); s=other").allowsEmail)
    }

    @Test(
        "key records that break the rules are invalid records",
        arguments: [
            "v=DKIM2; p=", "k=rsa; v=DKIM1; p=", "k=dsa; p=", "v=DKIM1", "p=!!!!", "p=AAAA",
            "k=ed25519; p=AAAA", "v=DKIM1; k=rsa; k=rsa; p=",
        ])
    func badKeyRecords(_ text: String) {
        #expect(throws: MailAuthError.invalidRecord) { try DKIMKeyRecord(parsing: text) }
    }

    @Test("a key record of random bytes is a typed error, never a crash")
    func randomKeyRecords() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 64, 300, 2048, 70_000] {
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = String(decoding: noise, as: UTF8.self)
            do {
                _ = try DKIMKeyRecord(parsing: text)
            } catch {
                #expect(error == .invalidRecord || error == .limitExceeded)
            }
        }
    }

    // MARK: Key lookup (RFC 6376 §3.6.2)

    @Test("DNS key lookup: found, NXDOMAIN, no data, temporary, several records, malformed")
    func dnsLookup() async throws {
        let resolver = InMemoryDNSResolver()
        try resolver.addZone("example.org")
        try resolver.add("sel._domainkey.example.org", .txt(text: Self.rfc8463KeyRecord))
        try resolver.add("two._domainkey.example.org", .txt(text: "v=DKIM1; p="))
        try resolver.add("two._domainkey.example.org", .txt(text: Self.rfc8463KeyRecord))
        try resolver.add("bad._domainkey.example.org", .txt(text: "v=DKIM1; k=ed25519; p=AAAA"))
        try resolver.add("nodata._domainkey.example.org", .a(try DNSAddress("192.0.2.1")))
        try resolver.scriptFailure(.timeout, for: "slow._domainkey.example.org")
        let source = DNSKeySource(resolver: resolver)
        guard case .found(let record) = await source.lookUpKey(selector: "sel", domain: "example.org") else {
            Issue.record("the key was not found")
            return
        }
        #expect(record.keyKind == .ed25519)
        guard case .notFound = await source.lookUpKey(selector: "none", domain: "example.org") else {
            Issue.record("NXDOMAIN is not 'not found'")
            return
        }
        guard case .notFound = await source.lookUpKey(selector: "nodata", domain: "example.org") else {
            Issue.record("no data is not 'not found'")
            return
        }
        guard case .temporaryFailure = await source.lookUpKey(selector: "slow", domain: "example.org") else {
            Issue.record("a timeout is not temporary")
            return
        }
        guard case .multipleRecords = await source.lookUpKey(selector: "two", domain: "example.org") else {
            Issue.record("two records are not 'several'")
            return
        }
        guard case .malformed(let error) = await source.lookUpKey(selector: "bad", domain: "example.org") else {
            Issue.record("a bad record is not malformed")
            return
        }
        #expect(error == .invalidRecord)
        guard case .notFound = await source.lookUpKey(selector: "bad label", domain: "..") else {
            Issue.record("an impossible name is not 'not found'")
            return
        }
    }

    @Test("keys given directly: parsed once, found by selector and domain in any case")
    func staticKeys() async throws {
        let source = StaticKeySource()
        try source.set(recordText: Self.rfc8463KeyRecord, selector: "Brisbane", domain: "Football.Example.com")
        guard case .found = await source.lookUpKey(selector: "brisbane", domain: "football.example.com.") else {
            Issue.record("the key was not found")
            return
        }
        guard case .notFound = source.lookUpKeyNow(selector: "other", domain: "football.example.com") else {
            Issue.record("an unknown selector was found")
            return
        }
    }
}
