import CommunityMailTestSupport
import Foundation
import Testing

/// The scripted IMAP4rev1 sessions of `Peers/imap_session.py` (imaplib and imapclient over
/// STARTTLS) against Dovecot 2.3 holding the script's corpus: every command of issue 17,
/// each status as RFC 3501/9051 and the extensions ask, and the values they fix for the
/// corpus (bytes, dates, sizes, flags, SEARCH results, APPENDUID/COPYUID, MODIFIED, IDLE
/// and EXPUNGE seen by another session) checked by the client.
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
        #expect(transcript.filter { $0.step.hasPrefix("check: ") }.count == 59)
    }
}
