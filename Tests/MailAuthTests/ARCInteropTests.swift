import CommunityMailMessage
import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// ARC with dkimpy (`dkim.arc_verify`, `dkim.ARC.sign`, through `Peers/arc_peer.py`): chains
/// of 1 to 3 sets sealed alternately by us and by dkimpy verify on both sides with the same
/// cv=, and broken chains fail on both. One python process per batch.
@Suite("ARC interop with dkimpy", .enabled(if: TestPeers.shouldRun(ARCPeer.isAvailable)))
struct ARCInteropTests {
    /// Who seals each set of a chain: us or dkimpy, with which test signer.
    struct Step: CustomStringConvertible {
        var byPeer: Bool
        var signer: String
        var description: String { (byPeer ? "dkimpy:" : "ours:") + signer }
    }

    /// The chains: alternating from either side, and all on one side (verified by the other).
    static func patterns(ed25519: Bool) -> [[Step]] {
        let (first, second, third) = ed25519 ? ("edB", "rsaC", "edD") : ("rsaA", "rsaC", "rsaA")
        return [
            [Step(byPeer: false, signer: first), Step(byPeer: true, signer: second), Step(byPeer: false, signer: third)],
            [Step(byPeer: true, signer: first), Step(byPeer: false, signer: second), Step(byPeer: true, signer: third)],
            [Step(byPeer: false, signer: first), Step(byPeer: false, signer: second), Step(byPeer: false, signer: third)],
            [Step(byPeer: true, signer: first), Step(byPeer: true, signer: second), Step(byPeer: true, signer: third)],
        ]
    }

    /// Every chain of every pattern over the corpus, built round by round (one dkimpy batch a
    /// round); element [chain][length - 1] is the message after `length` sets.
    static func buildChains(ed25519: Bool, verifier: ARCVerifier) async throws -> (chains: [[MailMessage]], labels: [String], steps: [[Step]]) {
        var chains: [[MailMessage]] = []
        var labels: [String] = []
        var current: [MailMessage] = []
        var steps: [[Step]] = []
        for pattern in patterns(ed25519: ed25519) {
            for (index, message) in ARCTestMessages.corpus.enumerated() {
                current.append(message)
                steps.append(pattern)
                labels.append("\(pattern) message \(index)")
            }
        }
        chains = Array(repeating: [], count: current.count)
        for round in 0..<3 {
            var peerJobs: [(chain: Int, job: ARCPeer.Job)] = []
            for (chain, pattern) in steps.enumerated() {
                let step = pattern[round]
                if step.byPeer {
                    peerJobs.append((chain, .seal(current[chain], signer: step.signer)))
                } else {
                    let signer = try ARCTestKeys.signer(step.signer)
                    let sealer = try ARCSealer(key: signer.sealingKey, authservID: signer.authservID, clock: ManualClock(start: Date()))
                    let (_, set) = try await sealer.verifyAndSeal(
                        current[chain], authenticationResults: "spf=pass smtp.mailfrom=origin.example", verifier: verifier)
                    current[chain] = set.prepended(to: current[chain])
                }
            }
            if !peerJobs.isEmpty {
                let answers = try await ARCPeer.run(peerJobs.map(\.job), ed25519: ed25519)
                for ((chain, _), answer) in zip(peerJobs, answers) {
                    let sealed = try #require(answer.message, "dkimpy could not seal \(labels[chain]): \(answer.error ?? "")")
                    current[chain] = sealed
                }
            }
            for chain in chains.indices { chains[chain].append(current[chain]) }
        }
        return (chains, labels, steps)
    }

    @Test("chains of 1 to 3 sets made by either side verify on both with the same cv=", arguments: [false, true])
    func chainsVerifyOnBothSides(ed25519: Bool) async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let (chains, labels, steps) = try await Self.buildChains(ed25519: ed25519, verifier: verifier)
        let messages = chains.flatMap { $0 }
        let theirs = try await ARCPeer.run(messages.map { .verify($0) }, ed25519: ed25519)
        var index = 0
        for (chain, lengths) in chains.enumerated() {
            for (offset, message) in lengths.enumerated() {
                let ours = await verifier.verify(message)
                #expect(ours.chainValidation == .pass, "ours, \(labels[chain]), \(offset + 1) sets: \(String(describing: ours.failure))")
                #expect(ours.setCount == offset + 1)
                // Each sealer's ARC-Authentication-Results, as dkimpy or we wrote it, read back.
                let sealers = try steps[chain].prefix(offset + 1).map { try ARCTestKeys.signer($0.signer) }
                #expect(ours.sets.map(\.authenticationResults.authservID) == sealers.map(\.authservID))
                #expect(ours.sets.map(\.sealingDomain) == sealers.map(\.domain))
                #expect(ours.sets.allSatisfy { $0.authenticationResults.results.hasPrefix("spf=pass smtp.mailfrom=origin.example") })
                #expect(theirs[index].cv == "pass", "dkimpy, \(labels[chain]), \(offset + 1) sets: \(theirs[index].reason ?? theirs[index].error ?? "")")
                index += 1
            }
        }
        #expect(index == 4 * ARCTestMessages.corpus.count * 3)
    }

    @Test("a broken set gives cv=fail on both sides", arguments: [false, true])
    func brokenChainsFailOnBothSides(ed25519: Bool) async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let (chains, labels, _) = try await Self.buildChains(ed25519: ed25519, verifier: verifier)
        var broken: [(label: String, message: MailMessage, expected: ARCFailureReason)] = []
        for (chain, lengths) in chains.enumerated() {
            for length in [1, 3] {
                for breakage in ARCMessageEditing.Breakage.allCases {
                    let message = try #require(breakage.apply(to: lengths[length - 1], length: length), "\(breakage) on \(labels[chain])")
                    broken.append(("\(breakage), \(labels[chain]), \(length) sets", message, breakage.expectedFailure(length: length)))
                }
            }
        }
        let theirs = try await ARCPeer.run(broken.map { .verify($0.message) }, ed25519: ed25519)
        for ((label, message, expected), answer) in zip(broken, theirs) {
            let ours = await verifier.verify(message)
            #expect(ours.chainValidation == .fail, "ours: \(label)")
            #expect(ours.failure == expected, "ours: \(label)")
            #expect(answer.cv == "fail", "dkimpy: \(label): \(answer.reason ?? answer.error ?? "")")
        }
    }

    @Test("a set added on top of a broken chain records cv=fail and fails on both sides", arguments: [false, true])
    func sealingABrokenChain(ed25519: Bool) async throws {
        let verifier = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let (chains, _, _) = try await Self.buildChains(ed25519: ed25519, verifier: verifier)
        let signer = try ARCTestKeys.signer(ed25519 ? "edD" : "rsaA")
        let sealer = try ARCSealer(key: signer.sealingKey, authservID: signer.authservID, clock: ManualClock(start: Date()))
        var ourSealed: [MailMessage] = []
        var brokenForPeer: [MailMessage] = []
        for lengths in chains {
            let broken = try #require(ARCMessageEditing.Breakage.tamperedAuthenticationResults.apply(to: lengths[1], length: 2))
            let (verification, set) = try await sealer.verifyAndSeal(broken, authenticationResults: "dkim=none", verifier: verifier)
            #expect(verification.chainValidation == .fail)
            #expect(set.chainValidation == .fail && set.instance == 3)
            ourSealed.append(set.prepended(to: broken))
            brokenForPeer.append(broken)
        }
        let theirs = try await ARCPeer.run(ourSealed.map { .verify($0) } + brokenForPeer.map { .seal($0, signer: signer.name) }, ed25519: ed25519)
        for answer in theirs.prefix(ourSealed.count) { #expect(answer.cv == "fail", "\(answer.reason ?? answer.error ?? "")") }
        for answer in theirs.dropFirst(ourSealed.count) {
            #expect(answer.cv == "fail")
            let peerSealed = try #require(answer.message, "\(answer.error ?? "")")
            #expect(peerSealed.header.fields.first?.unfoldedValue.contains("cv=fail") == true)
            let ours = await verifier.verify(peerSealed)
            #expect(ours.chainValidation == .fail)
            #expect(ours.failure == .chainMarkedFailed(instance: 3))
        }
    }

    @Test("keys served by NSD on loopback: a chain dkimpy and we sealed verifies through DNSStubResolver")
    func keysFromARealDNSServer() async throws {
        let memory = ARCVerifier(resolver: try ARCTestKeys.resolver())
        let (chains, _, _) = try await Self.buildChains(ed25519: true, verifier: memory)
        var zones: [(origin: String, text: String)] = []
        for signer in ARCTestKeys.signers ?? [] {
            let record = try signer.record
            let quoted = stride(from: 0, to: record.utf8.count, by: 200).map { start in
                "\"" + String(decoding: Array(record.utf8)[start..<min(start + 200, record.utf8.count)], as: UTF8.self) + "\""
            }.joined(separator: " ")
            zones.append(
                (signer.domain, """
                $ORIGIN \(signer.domain).
                $TTL 300
                @   IN SOA ns1 hostmaster 1 3600 600 86400 60
                @   IN NS  ns1
                ns1 IN A   127.0.0.1
                \(signer.selector)._domainkey IN TXT \(quoted)

                """))
        }
        let server = try await LocalDNSServer(zones: zones)
        defer { server.stop() }
        var configuration = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv4, port: server.port)])
        configuration.timeout = .seconds(30)
        let verifier = ARCVerifier(resolver: try DNSStubResolver(configuration: configuration))
        // Alternating from each side: dkimpy's and our sets, Ed25519 and RSA keys.
        for chain in chains.prefix(2 * ARCTestMessages.corpus.count).map({ $0[2] }) {
            let result = await verifier.verify(chain)
            #expect(result.chainValidation == .pass, "\(String(describing: result.failure)); nsd: \(server.log.suffix(500))")
            #expect(result.setCount == 3)
        }
    }
}

