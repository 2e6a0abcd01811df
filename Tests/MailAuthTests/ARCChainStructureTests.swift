import CommunityMailCrypto
import CommunityMailMessage
import CommunityMailSystem
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// RFC 8617's rules apart from the signatures: the AAR format, instance numbers, §5.2's
/// structure and cv= checks, key outcomes, oldest-pass, and what a sealer refuses.
@Suite("ARC chain structure")
struct ARCChainStructureTests {
    static func sealed(_ message: MailMessage, signers: [String], configurations: [ARCSealer.Configuration]? = nil) async throws
        -> MailMessage
    {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        var current = message
        for (index, name) in signers.enumerated() {
            let signer = try ARCTestKeys.signer(name)
            let sealer = try ARCSealer(
                key: signer.sealingKey, authservID: signer.authservID,
                configuration: configurations?[index] ?? ARCSealer.Configuration(), clock: ManualClock(start: Date()))
            current = try await sealer.verifyAndSeal(current, authenticationResults: "dkim=pass header.d=origin.example", verifier: verifier).set
                .prepended(to: current)
        }
        return current
    }

    static func verify(_ message: MailMessage, resolver: (any DNSResolver)? = nil) async throws -> ARCVerificationResult {
        await ARCVerifier(resolver: try resolver ?? ARCTestKeys.resolver()).verify(message)
    }

    @Test("ARC-Authentication-Results: i=N; authserv-id [version]; results (RFC 8617 §4.1.1)")
    func authenticationResultsFormat() {
        let parsed = ARCAuthenticationResults(parsing: "i=1; mx.example.org; spf=pass smtp.mailfrom=a.example; dkim=none")
        #expect(parsed == ARCAuthenticationResults(instance: 1, authservID: "mx.example.org", results: "spf=pass smtp.mailfrom=a.example; dkim=none"))
        #expect(ARCAuthenticationResults(parsing: "i = 12 ; mx.example.org 1; none")?.authservID == "mx.example.org")
        #expect(ARCAuthenticationResults(parsing: "i=50; mx")?.results == "none")
        for bad in ["i=0; mx; none", "i=51; mx; none", "i=001; mx; none", "i=1 mx; none", "x=1; mx; none", "i=1;", "i=; mx", "i=-1; mx"] {
            #expect(ARCAuthenticationResults(parsing: bad) == nil, "\(bad)")
        }
        #expect(ARCAuthenticationResults(instance: 3, authservID: "mx", results: "arc=pass").fieldValue == "i=3; mx; arc=pass")
    }

    @Test("a sealed set has the RFC's shape: AS, AMS, AAR newest first, i=, cv=, no v= or h= in the seal")
    func sealedShape() async throws {
        let message = try await Self.sealed(ARCTestMessages.plain, signers: ["rsaA"])
        let names = message.header.fields.prefix(3).map(\.lowercasedName)
        #expect(names == ["arc-seal", "arc-message-signature", "arc-authentication-results"])
        let seal = message.header.fields[0].unfoldedValue
        #expect(seal.hasPrefix("i=1; cv=none; a=rsa-sha256; d=forwarder-a.example; s=arc2048; t="))
        #expect(!seal.contains(" h=") && !seal.contains(" v="))
        let signature = message.header.fields[1].unfoldedValue
        #expect(signature.hasPrefix("i=1; a=rsa-sha256; c=relaxed/relaxed; d=forwarder-a.example; s=arc2048;"))
        #expect(!signature.contains("arc-seal") && !signature.contains("authentication-results") && !signature.contains("v="))
        #expect(message.header.fields[2].unfoldedValue == "i=1; mx.forwarder-a.example; dkim=pass header.d=origin.example; arc=none")
        // Lines stay short (folded) and end as the message's do.
        for field in message.header.fields.prefix(3) {
            let text = String(decoding: field.rawBytes, as: UTF8.self)
            #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        }
        let lf = try await Self.sealed(ARCTestMessages.corpus[2], signers: ["edB"])
        #expect(!String(decoding: lf.header.rawBytes, as: UTF8.self).contains("\r"))
        #expect(try await Self.verify(lf).chainValidation == .pass)
    }

    @Test("cv= must be none at i=1 and pass after; a newest cv=fail ends the chain (RFC 8617 §5.2 steps 2-3)")
    func chainValidationRules() async throws {
        let chain = try await Self.sealed(ARCTestMessages.plain, signers: ["edB", "edD"])
        let firstSaysPass = try #require(
            ARCMessageEditing.editing(chain, where: ARCMessageEditing.isARCField("arc-seal", instance: 1)) {
                $0.replacingOccurrences(of: "cv=none", with: "cv=pass")
            })
        #expect(try await Self.verify(firstSaysPass).failure == .invalidChainValidation(instance: 1))
        let secondSaysNone = try #require(
            ARCMessageEditing.editing(chain, where: ARCMessageEditing.isARCField("arc-seal", instance: 2)) {
                $0.replacingOccurrences(of: "cv=pass", with: "cv=none")
            })
        #expect(try await Self.verify(secondSaysNone).failure == .invalidChainValidation(instance: 2))
        let newestFailed = try #require(
            ARCMessageEditing.editing(chain, where: ARCMessageEditing.isARCField("arc-seal", instance: 2)) {
                $0.replacingOccurrences(of: "cv=pass", with: "cv=fail")
            })
        let result = try await Self.verify(newestFailed)
        #expect(result.chainValidation == .fail && result.failure == .chainMarkedFailed(instance: 2) && result.setCount == 2)
    }

    @Test("an AMS that signs ARC-Seal, a seal with h=, an unknown or SHA-1 algorithm are malformed")
    func malformedFields() async throws {
        let chain = try await Self.sealed(ARCTestMessages.plain, signers: ["rsaA"])
        let edits: [(String, (String) -> String)] = [
            ("arc-message-signature", { $0.replacingOccurrences(of: "h=", with: "h=arc-seal:") }),
            ("arc-seal", { $0.replacingOccurrences(of: "cv=none;", with: "cv=none; h=from;") }),
            ("arc-seal", { $0.replacingOccurrences(of: "a=rsa-sha256", with: "a=rsa-sha1") }),
            ("arc-message-signature", { $0.replacingOccurrences(of: "a=rsa-sha256", with: "a=dsa-sha256") }),
            ("arc-message-signature", { $0.replacingOccurrences(of: "c=relaxed/relaxed", with: "c=loose") }),
            ("arc-seal", { $0.replacingOccurrences(of: "d=forwarder-a.example", with: "d=bad;;domain") }),
        ]
        for (name, edit) in edits {
            let edited = try #require(ARCMessageEditing.editing(chain, where: ARCMessageEditing.isARCField(name, instance: 1), edit))
            let result = try await Self.verify(edited)
            #expect(result.chainValidation == .fail)
            #expect(result.failure == .malformedField(instance: 1))
        }
    }

    @Test("keys: a DNS failure is a temporary failure, a revoked or wrong-kind key is none")
    func keyOutcomes() async throws {
        let chain = try await Self.sealed(ARCTestMessages.plain, signers: ["rsaA"])
        let signer = try ARCTestKeys.signer("rsaA")
        let failing = try ARCTestKeys.resolver()
        try failing.scriptFailure(.serverFailure, for: signer.recordName)
        let temporary = try await Self.verify(chain, resolver: failing)
        #expect(temporary.failure == .keyUnavailable(instance: 1, temporary: true) && temporary.isTemporaryFailure)
        // A sealer defers rather than record cv=fail for a failure that may pass later.
        try failing.scriptFailure(.timeout, for: signer.recordName)
        let sealer = try ARCSealer(key: try ARCTestKeys.signer("edB").sealingKey, authservID: "mx.forwarder-b.example")
        await #expect(throws: MailAuthError.dnsFailure) {
            try await sealer.verifyAndSeal(chain, authenticationResults: "", verifier: ARCVerifier(resolver: failing))
        }
        for record in ["v=DKIM1; k=rsa; p=", "v=DKIM1; k=ed25519; p=\(Data(try ARCTestKeys.signer("edB").key.verifyingKey.publicKeyBytes()).base64EncodedString())"] {
            let resolver = InMemoryDNSResolver()
            try resolver.addZone(signer.domain)
            try resolver.add(signer.recordName, .txt(text: record))
            let result = try await Self.verify(chain, resolver: resolver)
            #expect(result.failure == .keyUnavailable(instance: 1, temporary: false) && !result.isTemporaryFailure)
        }
    }

    @Test("keys given directly (StaticKeySource) verify as DNS ones do")
    func staticKeys() async throws {
        let chain = try await Self.sealed(ARCTestMessages.plain, signers: ["rsaA", "edB"])
        let keys = StaticKeySource()
        for name in ["rsaA", "edB"] {
            let signer = try ARCTestKeys.signer(name)
            try keys.set(recordText: try signer.record, selector: signer.selector, domain: signer.domain)
        }
        #expect(await ARCVerifier(keySource: keys).verify(chain).chainValidation == .pass)
        #expect(await ARCVerifier(keySource: StaticKeySource()).verify(chain).failure == .keyUnavailable(instance: 2, temporary: false))
    }

    @Test("oldest-pass: the instance from which every newer message signature verifies (RFC 8617 §5.2 step 5)")
    func oldestPass() async throws {
        var signsCustom = ARCSealer.Configuration()
        signsCustom.signedFields.append("x-list-footer")
        let message = ARCTestMessages.message("From: a@origin.example\nTo: b@community.example\nSubject: s\nX-List-Footer: one\n\nbody")
        let chain = try await Self.sealed(message, signers: ["edB", "rsaC", "edD"], configurations: [signsCustom, .init(), .init()])
        #expect(try await Self.verify(chain).oldestPass == 0)
        let changed = try #require(ARCMessageEditing.editing(chain, where: { $0.lowercasedName == "x-list-footer" }) { _ in "X-List-Footer: two\r\n" })
        let result = try await Self.verify(changed)
        #expect(result.chainValidation == .pass)
        #expect(result.oldestPass == 2)
        #expect(result.sets.map(\.sealingDomain) == ["forwarder-b.example", "lists.example", "relay-d.example"])
    }

    @Test("the sealer refuses contradictions, a 51st set, line breaks, ARC-Seal in h=, a message without From")
    func sealerRefusals() async throws {
        let signer = try ARCTestKeys.signer("edB")
        let sealer = try ARCSealer(key: signer.sealingKey, authservID: signer.authservID)
        #expect(throws: MailAuthError.invalidArgument) { try sealer.seal(ARCTestMessages.plain, authenticationResults: "", chainValidation: .pass) }
        let chain = try await Self.sealed(ARCTestMessages.plain, signers: ["edB"])
        #expect(throws: MailAuthError.invalidArgument) { try sealer.seal(chain, authenticationResults: "", chainValidation: .none) }
        for injection in ["spf=pass\r\nX-Injected: yes", "spf=pass\nX: y", "spf=pass\rX", "spf=pass\u{0}"] {
            #expect(throws: MailAuthError.invalidArgument) { try sealer.seal(chain, authenticationResults: injection, chainValidation: .pass) }
        }
        let noFrom = ARCTestMessages.message("To: b@community.example\nSubject: s\n\nbody")
        #expect(throws: MailAuthError.invalidMessage) { try sealer.seal(noFrom, authenticationResults: "", chainValidation: .none) }
        var signsSeal = ARCSealer.Configuration()
        signsSeal.signedFields.append("ARC-Seal")
        #expect(throws: MailAuthError.invalidArgument) { try ARCSealer(key: signer.sealingKey, authservID: signer.authservID, configuration: signsSeal) }
        var signsResults = ARCSealer.Configuration()
        signsResults.oversignedFields.append("authentication-results")
        #expect(throws: MailAuthError.invalidArgument) {
            try ARCSealer(key: signer.sealingKey, authservID: signer.authservID, configuration: signsResults)
        }
        #expect(throws: MailAuthError.invalidArgument) { try ARCSealer(key: signer.sealingKey, authservID: "mx example;") }
        #expect(throws: MailAuthError.invalidArgument) {
            try ARCSealer(key: ARCSealingKey(selector: "bad selector", domain: "x.example", signingKey: signer.key), authservID: "mx")
        }
    }
}
