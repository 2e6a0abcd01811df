import Foundation
import HTTPTransport
@testable import OpenIDAuth
import Testing

/// Mangled input never crashes: every outcome is a typed error or a correct verification.
/// Sized to stay well under a second: 400 mutated callbacks, 300 random XRDS and HTML pages.
@Suite struct RobustnessTests {
    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    @Test func mutatedCallbacksAreRefusedOrVerifiedCorrectly() async throws {
        let harness = try await Harness()
        var random = Generator(state: 0x9E37_79B9_7F4A_7C15)
        let alphabet = Array("%&=+.:/?#abcXYZ019 \u{0}\u{7F}é".utf8)
        for round in 0..<400 {
            let callback = try await harness.signIn(options: .init(simpleRegistration: .init(required: [.email]), teams: ["canonical"]))
            var bytes = Array(callback.absoluteString.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &random)!, at: index)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let mutated = URL(string: text) else { continue }
            do {
                let response = try await harness.rp.complete(callbackURL: mutated, postBody: round % 5 == 0 ? mutated.query : nil)
                if case .authenticated(let assertion) = response {
                    // Only changes outside the signed data can pass, and then nothing signed changed.
                    #expect(assertion.claimedIdentifier == Harness.alice)
                    #expect(assertion.simpleRegistration["email"] == nil || assertion.simpleRegistration["email"] == "alice@example.com")
                    #expect(assertion.teams == [] || assertion.teams == ["canonical"])
                }
            } catch {
                #expect(!error.kind.isEmpty)
            }
        }
    }

    @Test func randomDocumentsNeverCrashTheParsers() {
        var random = Generator(state: 42)
        let pieces = ["<", ">", "</", "<XRD>", "<Service priority=\"", "\">", "<Type>", "</Type>", "<URI>", "</URI>",
                      "http://specs.openid.net/auth/2.0/signon", "<link rel=\"openid2.provider\" href=\"", "&amp;", "&#x41;",
                      "&#99999999;", "<!--", "-->", "<script>", "'", "\"", "=", " ", "<head>", "<body>", "\u{0}", "é"]
        for _ in 0..<300 {
            let document = (0..<Int.random(in: 0...60, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            _ = try? XRDSDocument(data: Data(document.utf8)).openIDServices(claimedIdentifier: "https://x/")
            _ = HTMLDiscoveryDocument(html: document)
        }
    }
}
