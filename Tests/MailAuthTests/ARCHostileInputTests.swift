import CommunityMailCrypto
import CommunityMailMessage
import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// Hostile chains: too many sets, a seal with 10,000 tags, duplicated instances, a 1 MB
/// header, random damage. Each gives a typed result (cv=fail with its reason) without a
/// crash; the limits keep the work bounded (no wall-clock assertion: see the test rules).
@Suite("ARC hostile input")
struct ARCHostileInputTests {
    /// One real set (instance 1) as text, to copy with other instance numbers.
    static func oneSet() async throws -> (fields: [String], message: MailMessage) {
        let sealed = try await ARCChainStructureTests.sealed(ARCTestMessages.plain, signers: ["edB"])
        return (sealed.header.fields.prefix(3).map { String(decoding: $0.rawBytes, as: UTF8.self) }, sealed)
    }

    static func withInstance(_ fields: [String], _ instance: Int) -> String {
        fields.map { $0.replacingOccurrences(of: "i=1;", with: "i=\(instance);") }.joined()
    }

    static func verify(_ header: String, body: MailMessage) async throws -> ARCVerificationResult {
        await ARCVerifier(resolver: try ARCTestKeys.resolver()).verify(MailMessage(Array(header.utf8) + body.bytes))
    }

    @Test("60 or 51 ARC sets are too many (RFC 8617 §5.2 step 1) and no set can be added; a set claiming i=60 is invalid")
    func tooManySets() async throws {
        let (fields, _) = try await Self.oneSet()
        let sixty = (1...60).reversed().map { Self.withInstance(fields, $0) }.joined()
        let result = try await Self.verify(sixty, body: ARCTestMessages.plain)
        #expect(result.chainValidation == .fail && result.failure == .tooManySets && result.setCount == 51)
        let signer = try ARCTestKeys.signer("edB")
        let sealer = try ARCSealer(key: signer.sealingKey, authservID: signer.authservID)
        let crowded = MailMessage(Array(sixty.utf8) + ARCTestMessages.plain.bytes)
        #expect(throws: MailAuthError.limitExceeded) { try sealer.seal(crowded, authenticationResults: "", chainValidation: .fail) }
        let high = try await Self.verify(Self.withInstance(fields, 60), body: ARCTestMessages.plain)
        #expect(high.failure == .invalidInstance)
        let fiftyOne = (1...51).reversed().map { Self.withInstance(fields, $0) }.joined()
        #expect(try await Self.verify(fiftyOne, body: ARCTestMessages.plain).failure == .tooManySets)
    }

    @Test("50 sets made one by one pass; a 51st is refused")
    func fiftySets() async throws {
        var configuration = ARCVerifier.Configuration()
        configuration.determinesOldestPass = false
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver(), configuration: configuration)
        let signer = try ARCTestKeys.signer("edB")
        let sealer = try ARCSealer(key: signer.sealingKey, authservID: signer.authservID, clock: ManualClock(start: Date()))
        var message = ARCTestMessages.plain
        for _ in 1...50 {
            message = try await sealer.verifyAndSeal(message, authenticationResults: "", verifier: verifier).set.prepended(to: message)
        }
        let result = await verifier.verify(message)
        #expect(result.chainValidation == .pass && result.setCount == 50)
        await #expect(throws: MailAuthError.limitExceeded) {
            try await sealer.verifyAndSeal(message, authenticationResults: "", verifier: verifier)
        }
    }

    @Test("an ARC-Seal with 10,000 tags fails on the field size, or on the tag count when the size is allowed")
    func tenThousandTags() async throws {
        let (fields, message) = try await Self.oneSet()
        let tags = (0..<10_000).map { "x\($0)=\($0)" }.joined(separator: "; ")
        let huge = fields[0].replacingOccurrences(of: "i=1;", with: "i=1; \(tags);")
        let header = huge + fields[1] + fields[2]
        let body = MailMessage(Array(message.bytes[message.header.fields[2].rawBytes.endIndex...]))
        let result = try await Self.verify(header, body: body)
        #expect(result.failure == .limitExceeded(instance: 1))
        var roomy = ARCVerifier.Configuration()
        roomy.maximumFieldBytes = 1 << 20
        let parsed = await ARCVerifier(resolver: try ARCTestKeys.resolver(), configuration: roomy).verify(MailMessage(Array(header.utf8) + body.bytes))
        #expect(parsed.failure == .malformedField(instance: 1))
    }

    @Test("duplicated instances: a second complete set with i=1")
    func duplicatedInstances() async throws {
        let (fields, message) = try await Self.oneSet()
        let twice = MailMessage(Array(fields.joined().utf8) + message.bytes)
        let result = await ARCVerifier(resolver: try ARCTestKeys.resolver()).verify(twice)
        #expect(result.chainValidation == .fail && result.failure == .duplicateField(instance: 1))
    }

    @Test("a 1 MB header: a huge signed field still verifies; a huge ARC field or a header of junk fails typed")
    func oneMegabyteHeader() async throws {
        let line = String(repeating: "x", count: 70)
        let subject = "Subject: " + Array(repeating: line, count: 15_000).joined(separator: "\r\n ") + "\r\n"
        let message = MailMessage(Array(("From: a@origin.example\r\nTo: b@community.example\r\n" + subject + "\r\nbody\r\n").utf8))
        #expect(message.header.rawBytes.count > 1_000_000)
        let sealed = try await ARCChainStructureTests.sealed(message, signers: ["edB"])
        #expect(await ARCVerifier(resolver: try ARCTestKeys.resolver()).verify(sealed).chainValidation == .pass)

        let (fields, plain) = try await Self.oneSet()
        let hugeSeal = fields[0].replacingOccurrences(of: "i=1;", with: "i=1; " + String(repeating: " ", count: 1 << 20) + ";")
        #expect(try await Self.verify(hugeSeal + fields[1] + fields[2], body: plain).failure == .limitExceeded(instance: 1))

        var generator = SplitMix64(seed: 8617)
        var junk: [UInt8] = []
        while junk.count < 1 << 20 {
            let name = ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results", "X"][Int(generator.next() % 4)]
            junk += Array("\(name): i=\(generator.next() % 60); ".utf8)
            for _ in 0..<Int(generator.next() % 200) { junk.append(UInt8(truncatingIfNeeded: generator.next() % 94 + 33)) }
            junk += [0x0d, 0x0a]
        }
        let result = await ARCVerifier(resolver: try ARCTestKeys.resolver()).verify(MailMessage(junk + [0x0d, 0x0a] + Array("body\r\n".utf8)))
        #expect(result.chainValidation == .fail && result.failure != nil)
    }

    @Test("2,000 random byte changes to a sealed chain: a typed result each time, nearly all fail")
    func randomDamage() async throws {
        let chain = try await ARCChainStructureTests.sealed(ARCTestMessages.plain, signers: ["edB", "edD"])
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        var generator = SplitMix64(seed: 16)
        var failures = 0
        for _ in 0..<2_000 {
            var bytes = chain.bytes
            let index = Int(generator.next() % UInt64(bytes.count))
            let replacement = UInt8(truncatingIfNeeded: generator.next())
            guard bytes[index] != replacement else { continue }
            bytes[index] = replacement
            let result = await verifier.verify(MailMessage(bytes))
            #expect((result.chainValidation == .fail) == (result.failure != nil))
            if result.chainValidation == .fail { failures += 1 }
        }
        // Almost every byte of this message is signed (all its fields, the body); the rest is
        // folding whitespace that relaxed canonicalization ignores.
        #expect(failures > 1_800)
    }
}
