import CommunityMailTestSupport
import Foundation
import Testing

/// The scripted IMAP4rev1 sessions of `Peers/imap_session.py` (imaplib and imapclient over
/// STARTTLS) against Dovecot 2.3 holding the script's corpus: every command of issue 17,
/// each status as RFC 3501/9051 and the extensions ask, and the values they fix for the
/// corpus (bytes, dates, sizes, flags, SEARCH results, APPENDUID/COPYUID, MODIFIED, IDLE
/// and EXPUNGE seen by another session) checked by the client. Then the same sessions
/// against Dovecot and our server side by side, each holding the corpus: every step's
/// normalised responses (SEARCH results, FETCH ENVELOPE/BODYSTRUCTURE/BODY[] bytes, flags,
/// UID sets, response codes) must be equal.
@Suite(.enabled(if: TestPeers.shouldRun(DovecotIMAPServer.isInstalled && IMAPPeerSessionScript.isAvailable)))
struct IMAPPeerDovecotTests {
    @Test func scriptedSessionsPassAgainstDovecot() async throws {
        let corpus = try await IMAPPeerSessionScript.corpus()
        #expect(corpus.count == 10)
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("dovecot-imap")
        let dovecot = try await DovecotIMAPServer.start(messages: corpus, certificateChain: leaf.chain, privateKey: leaf.key)
        let transcript: [IMAPPeerSessionScript.Step]
        do {
            transcript = try await IMAPPeerSessionScript.run(port: dovecot.port, certificateAuthority: authority.authority)
        } catch {
            await dovecot.stop()
            throw error
        }
        await dovecot.stop()
        for step in transcript where step.unexpected != nil {
            Issue.record("\(step.unexpected ?? ""): \(step)")
        }
        #expect(transcript.last?.step == "B: LOGOUT")
        #expect(transcript.filter { $0.step.hasPrefix("check: ") }.count == 61)
    }

    @Test func sameSessionsSameAnswersAsDovecot() async throws {
        let corpus = try await IMAPPeerSessionScript.corpus()
        let authority = try await TestCertificates.makeAuthority()
        let dovecotLeaf = try await authority.makeLeaf("dovecot-imap")
        let ourLeaf = try await authority.makeLeaf("imap")
        let dovecot = try await DovecotIMAPServer.start(messages: corpus, certificateChain: dovecotLeaf.chain, privateKey: dovecotLeaf.key)
        let ours: IMAPServerFixture
        do {
            ours = try await IMAPPeerOurServer.start(messages: corpus, certificateChain: ourLeaf.chain, privateKey: ourLeaf.key)
        } catch {
            await dovecot.stop()
            throw error
        }
        let theirs: [IMAPPeerSessionScript.Step], mine: [IMAPPeerSessionScript.Step]
        do {
            theirs = try await IMAPPeerSessionScript.run(port: dovecot.port, certificateAuthority: authority.authority)
            mine = try await IMAPPeerSessionScript.run(port: ours.port, certificateAuthority: authority.authority)
        } catch {
            await dovecot.stop()
            await ours.stop()
            throw error
        }
        await dovecot.stop()
        await ours.stop()
        for step in mine where step.unexpected != nil {
            Issue.record("ours: \(step.unexpected ?? ""): \(step)")
        }
        #expect(mine.map(\.step) == theirs.map(\.step))
        for (their, my) in zip(theirs, mine) where their.compared != my.compared {
            let difference = "differs from Dovecot at \(their.step):\n  Dovecot: \(their.compared)\n  ours:    \(my.compared)"
            if let known = Self.knownDifferences.first(where: { $0.steps.contains(their.step) }) {
                withKnownIssue(Comment(rawValue: known.reason), isIntermittent: known.mayGoAway) {
                    Issue.record(Comment(rawValue: difference))
                }
            } else {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    /// Where our server and Dovecot differ and which side the RFCs support: each a known
    /// issue (the test fails when one goes away, so the list stays true, unless `mayGoAway`:
    /// a change on another branch is expected to remove it).
    static let knownDifferences: [(steps: Set<String>, reason: String, mayGoAway: Bool)] = []
}
