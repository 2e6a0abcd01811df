import CommunityMailCrypto
import CommunityMailMessage
import CommunityMailSystem
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// Our sealer and our verifier together: chains of 1 to 3 sets with both algorithms, and
/// what breaks them (the interop suite checks the same against dkimpy).
@Suite("ARC seal and verify")
struct ARCSealAndVerifyTests {
    /// Seals `message` with each signer in turn, verifying before each seal.
    static func chain(_ message: MailMessage, signers: [ARCTestSigner], verifier: ARCVerifier) async throws -> MailMessage {
        var current = message
        for signer in signers {
            let sealer = try ARCSealer(key: signer.sealingKey, authservID: signer.authservID, clock: ManualClock(start: Date()))
            let (_, set) = try await sealer.verifyAndSeal(current, authenticationResults: "spf=pass smtp.mailfrom=origin.example", verifier: verifier)
            current = set.prepended(to: current)
        }
        return current
    }

    @Test("no ARC set is cv=none")
    func none() async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let result = await verifier.verify(ARCTestMessages.plain)
        #expect(result.chainValidation == .none)
        #expect(result.setCount == 0)
    }

    @Test("chains of 1, 2 and 3 sets, alternating RSA and Ed25519, pass", arguments: 1...3)
    func chains(length: Int) async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let signers = try ["rsaA", "edB", "rsaC"].prefix(length).map(ARCTestKeys.signer)
        for message in ARCTestMessages.corpus {
            let sealed = try await Self.chain(message, signers: signers, verifier: verifier)
            let result = await verifier.verify(sealed)
            #expect(result.chainValidation == .pass, "\(String(describing: result.failure))")
            #expect(result.setCount == length)
            #expect(result.oldestPass == 0)
            #expect(result.sets.map(\.authenticationResults.authservID) == signers.map(\.authservID))
            #expect(result.sets.last?.authenticationResults.results.hasSuffix(length == 1 ? "arc=none" : "arc=pass") == true)
        }
    }

    @Test("a changed signed header fails the newest message signature")
    func changedHeader() async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let sealed = try await Self.chain(ARCTestMessages.plain, signers: [try ARCTestKeys.signer("edB")], verifier: verifier)
        let tampered = MailMessage(Array(String(decoding: sealed.bytes, as: UTF8.self).replacingOccurrences(of: "Meeting notes", with: "Meeting notez").utf8))
        let result = await verifier.verify(tampered)
        #expect(result.chainValidation == .fail)
        #expect(result.failure == .messageSignatureInvalid(instance: 1))
    }
}
