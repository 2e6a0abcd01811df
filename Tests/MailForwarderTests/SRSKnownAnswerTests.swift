import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Testing

/// `SRSRewriter` against answers the peers gave for one secret, domain and day:
/// `Peers/srs-known-answers.json`, written by `Peers/make_srs_known_answers.py` from
/// postsrsd 1.10 (run at the fixed time with libfaketime), python3-srs 1.0.4 and srslib
/// 0.1.5. Runs without the peers installed; `SRSInteropTests` asks them live.
@Suite("SRS known answers from postsrsd, python3-srs and srslib")
struct SRSKnownAnswerTests {
    struct Answers: Decodable {
        struct Case: Decodable {
            let sender: String
            let postsrsd: String?
            let python3SRS: String?
            let srslib: String?
            let postsrsdReverse: String?

            enum CodingKeys: String, CodingKey {
                case sender, postsrsd, srslib
                case python3SRS = "python3-srs"
                case postsrsdReverse = "postsrsd-reverse"
            }
        }

        let secret: String
        let domain: String
        let time: Double
        let cases: [Case]
    }

    /// Senders srslib rewrites differently, and why: it rewrites senders on the SRS domain
    /// itself, and it lower-cases every Unicode letter for the hash (postsrsd and
    /// python3-srs lower ASCII only, and so do we).
    static let srslibDiffers: Set<String> = ["bob@fwd.example.net", "bob@FWD.Example.NET", "JÜRGEN@x.example"]

    let answers: Answers
    let srs: SRSRewriter

    init() throws {
        let url = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailForwarderTests/Peers/srs-known-answers.json")
        answers = try JSONDecoder().decode(Answers.self, from: Data(contentsOf: url))
        var configuration = SRSRewriter.Configuration(domain: answers.domain, secrets: [answers.secret])
        configuration.clock = ManualClock(start: Date(timeIntervalSince1970: answers.time))
        srs = try SRSRewriter(configuration: configuration)
    }

    @Test("the fixture covers ordinary, = and +, capitals, UTF-8, long, SRS0 and SRS1 senders and our own domain")
    func coverage() {
        #expect(answers.cases.count >= 15)
        #expect(answers.cases.contains { $0.postsrsd?.hasPrefix("SRS1=") == true })
        #expect(answers.cases.contains { $0.postsrsd?.hasPrefix("SRS0=") == true })
        #expect(answers.cases.contains { $0.postsrsd == $0.sender })
    }

    @Test("our forward equals postsrsd's and python3-srs's for every sender")
    func forwardEqualsPostsrsdAndPython3SRS() throws {
        for answer in answers.cases {
            let ours = try srs.forward(answer.sender)
            #expect(ours == answer.postsrsd, "postsrsd, \(answer.sender)")
            #expect(ours == answer.python3SRS, "python3-srs, \(answer.sender)")
        }
    }

    @Test("our forward equals srslib's except where srslib departs from libsrs2 (documented)")
    func forwardEqualsSrslib() throws {
        for answer in answers.cases {
            let ours = try srs.forward(answer.sender)
            if Self.srslibDiffers.contains(answer.sender) {
                #expect(ours != answer.srslib, "srslib now agrees on \(answer.sender): update srslibDiffers")
            } else {
                #expect(ours == answer.srslib, "srslib, \(answer.sender)")
            }
        }
    }

    @Test("we reverse postsrsd's addresses to what postsrsd reverses them to")
    func reverseEqualsPostsrsd() throws {
        for answer in answers.cases {
            guard let address = answer.postsrsd, address != answer.sender else { continue }
            #expect(try srs.reverse(address) == answer.postsrsdReverse, "\(address)")
        }
    }
}
