import CommunityMailMessage
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@testable import MailAuth

/// dkimpy's `arcsign` and `arcverify` command-line tools (RSA only; DNS through their own
/// resolv.conf, answered on 127.0.0.N:53): chains sealed alternately by us and by `arcsign`
/// verify on both sides, and a broken one fails on both (`arcverify` exits 0 either way: its
/// line is parsed). One python process per batch.
@Suite("ARC interop with arcsign and arcverify", .enabled(if: TestPeers.shouldRun(ARCPeer.commandLineIsAvailable)))
struct ARCCommandLineInteropTests {
    @Test("ours, arcsign, ours (and arcsign, ours, arcsign): every length passes on both; a tampered AAR fails on both")
    func alternatingChains() async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let sealer = try ARCSealer(
            key: try ARCTestKeys.signer("rsaA").sealingKey, authservID: try ARCTestKeys.signer("rsaA").authservID,
            clock: ManualClock(start: Date()))
        var current = [ARCTestMessages.corpus[0], ARCTestMessages.corpus[1]]
        var all: [MailMessage] = []
        for round in 0..<3 {
            var jobs: [(Int, ARCPeer.Job)] = []
            for index in current.indices {
                if (round + index) % 2 == 0 {
                    current[index] = try await sealer.verifyAndSeal(current[index], authenticationResults: "spf=pass", verifier: verifier).set
                        .prepended(to: current[index])
                } else {
                    jobs.append((index, .seal(current[index], signer: "rsaC")))
                }
            }
            let answers = try await ARCPeer.runCommandLine(jobs.map(\.1))
            for ((index, _), answer) in zip(jobs, answers) {
                current[index] = try #require(answer.message, "arcsign: \(answer.error ?? "")")
            }
            all += current
        }
        let broken = try all.suffix(2).map { try #require(ARCMessageEditing.Breakage.tamperedAuthenticationResults.apply(to: $0, length: 3)) }
        let verdicts = try await ARCPeer.runCommandLine((all + broken).map { .verify($0) })
        for (message, verdict) in zip(all, verdicts) {
            #expect(verdict.cv == "pass", "arcverify: \(verdict.reason ?? verdict.error ?? "")")
            #expect(await verifier.verify(message).chainValidation == .pass)
        }
        for (message, verdict) in zip(broken, verdicts.suffix(2)) {
            #expect(verdict.cv == "fail", "arcverify: \(verdict.reason ?? verdict.error ?? "")")
            #expect(await verifier.verify(message).failure == .sealInvalid(instance: 3))
        }
    }
}
