import CommunityMailCrypto
import CommunityMailMessage
import DNSVerify
import Foundation
import MailAuth

/// A sealer's identity for the ARC tests: our key, the record receivers look up, and the
/// private key in the form dkimpy reads (PEM for RSA, the base64 seed for Ed25519).
struct ARCTestSigner: Sendable {
    let name: String
    let selector: String
    let domain: String
    let key: SigningKey
    let peerPrivateKey: String

    /// Where the public key is published.
    var recordName: String { "\(selector)._domainkey.\(domain)" }

    /// The DKIM key record (RFC 6376 §3.6.1; `k=ed25519`, RFC 8463).
    var record: String {
        get throws {
            let kind = key.kind == .ed25519 ? "ed25519" : "rsa"
            return "v=DKIM1; k=\(kind); p=\(Data(try key.verifyingKey.publicKeyBytes()).base64EncodedString())"
        }
    }

    var sealingKey: ARCSealingKey { ARCSealingKey(selector: selector, domain: domain, signingKey: key) }

    /// The authserv-id this sealer writes.
    var authservID: String { "mx.\(domain)" }

    var algorithm: String { key.kind == .ed25519 ? "ed25519-sha256" : "rsa-sha256" }

    static func rsa(_ name: String, selector: String, domain: String, bits: Int = 2048) throws -> ARCTestSigner {
        let key = try SigningKey.generateRSA(bits: bits)
        return ARCTestSigner(name: name, selector: selector, domain: domain, key: key, peerPrivateKey: try key.pemRepresentation())
    }

    static func ed25519(_ name: String, selector: String, domain: String) throws -> ARCTestSigner {
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = try SigningKey(ed25519Seed: seed)
        return ARCTestSigner(name: name, selector: selector, domain: domain, key: key, peerPrivateKey: Data(seed).base64EncodedString())
    }
}

/// The keys every ARC suite shares (RSA generation is slow in debug builds: made once).
enum ARCTestKeys {
    static let signers: [ARCTestSigner]? = try? [
        .rsa("rsaA", selector: "arc2048", domain: "forwarder-a.example"),
        .ed25519("edB", selector: "ed", domain: "forwarder-b.example"),
        .rsa("rsaC", selector: "lists", domain: "lists.example"),
        .ed25519("edD", selector: "seal2026", domain: "relay-d.example"),
    ]

    /// The signer called `name`.
    static func signer(_ name: String) throws -> ARCTestSigner {
        guard let found = signers?.first(where: { $0.name == name }) else { throw ARCTestError("no test signer \(name)") }
        return found
    }

    /// A resolver that serves every signer's key record, plus `extra` TXT records.
    static func resolver(extra: [(name: String, text: String)] = []) throws -> InMemoryDNSResolver {
        let resolver = InMemoryDNSResolver()
        for signer in signers ?? [] {
            try resolver.addZone(signer.domain)
            try resolver.add(signer.recordName, .txt(text: try signer.record))
        }
        for (name, text) in extra { try resolver.add(name, .txt(text: text)) }
        return resolver
    }

    /// The key table for dkimpy's `dnsfunc`.
    static func peerKeyTable() throws -> [String: String] {
        var table: [String: String] = [:]
        for signer in signers ?? [] { table[signer.recordName] = try signer.record }
        return table
    }
}

/// A failure of the tests' own setup.
struct ARCTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Messages the ARC tests seal: plain, folded, 8-bit, empty body, trailing blank lines.
enum ARCTestMessages {
    static let plain = message(
        """
        From: Alice <alice@origin.example>
        To: bob@community.example
        Subject: Meeting notes
        Date: Mon, 7 Dec 2026 06:00:00 +0000
        Message-ID: <notes-1@origin.example>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        Hello Bob,

        the notes are attached.
        """)

    static let corpus: [MailMessage] = [
        plain,
        message(
            """
            From: "Carol Example" <carol@origin.example>
            To: team@community.example,
             second@community.example
            Subject: A folded
              subject line\twith  spaces
            Date: Mon, 7 Dec 2026 06:00:00 +0000
            Message-ID: <folded@origin.example>
            DKIM-Signature: v=1; a=rsa-sha256; d=origin.example; s=x; h=from; bh=AAAA; b=BBBB

            Body with trailing spaces   \t
            and trailing blank lines



            """),
        message("From: dave@origin.example\nSubject: empty body\nTo: x@community.example\n\n", lineEnding: "\n"),
        MailMessage(Array("From: erin@origin.example\r\nSubject: 8-bit\r\nTo: y@community.example\r\n\r\n".utf8) + [0xC3, 0xA9, 0x74, 0xC3, 0xA9, 0x0D, 0x0A, 0xFF, 0x0D, 0x0A]),
        message(
            """
            From: frank@origin.example
            To: z@community.example
            Subject: long line
            Received: from a by b; Mon, 7 Dec 2026 06:00:00 +0000
            Received: from c by d; Mon, 7 Dec 2026 06:00:01 +0000

            \(String(repeating: "long line ", count: 200))
            """),
    ]

    /// `text` with its lines ended by `lineEnding`.
    static func message(_ text: String, lineEnding: String = "\r\n") -> MailMessage {
        MailMessage(Array(text.replacingOccurrences(of: "\n", with: lineEnding).utf8) + Array(lineEnding.utf8))
    }
}
