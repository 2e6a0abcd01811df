import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// The same scripted POP3 session, through poplib, against Dovecot's pop3d and ours, each
/// holding the same messages: STAT, LIST, TOP, RETR bytes, DELE and RSET semantics and
/// what QUIT removed must be equal. Greetings and reply texts differ by design and are
/// not compared; UIDL values differ by design (only their shape and stability are).
@Suite(.enabled(if: TestPeers.shouldRun(POP3DovecotPeer.isInstalled)))
struct POP3DovecotComparisonTests {
    /// Three sessions: everything, with deletions applied at QUIT; an aborted session
    /// (nothing applied); a wrong password, then the maildrop as left.
    static let sessions = [
        [
            "connect", "user alice", "pass secret1", "stat", "list", "list 1", "list 6", "list 7", "list 8", "list 9", "uidl", "top 1 0",
            "top 1 2", "top 2 3", "top 5 1", "top 6 5", "top 7 0", "top 7 2", "top 8 0", "top 8 1", "retr 1", "retr 2", "retr 3", "retr 4",
            "retr 5", "retr 6", "retr 7", "retr 8", "retr 9", "dele 2", "dele 2", "list 2",
            "retr 2", "top 2 1", "stat", "list", "uidl 2", "rset", "stat", "list", "dele 1", "dele 4", "noop", "raw LIST 0", "raw DELE 99",
            "quit",
        ],
        ["connect", "user alice", "pass secret1", "stat", "list", "retr 1", "retr 2", "dele 1", "abort"],
        ["connect", "user alice", "pass wrong", "user alice", "pass secret1", "stat", "list", "uidl", "retr 1", "quit"],
    ]

    /// What must agree between the two servers for one step.
    static func normalized(_ result: POP3ClientScript.Result) -> String {
        let word = result.step.split(separator: " ").first.map(String.init) ?? ""
        var text = "\(result.step): \(result.ok ? "+OK" : "-ERR")"
        switch word {
        case "stat":
            text += " \(result.response)"
        case "list" where result.step.contains(" ") && result.ok:
            text += " \(result.response)"
        case "retr" where result.ok:
            // "+OK n octets": the size before byte-stuffing, as both servers word it.
            text += " \(result.response) \(result.lines ?? [])"
        case "list", "top", "retr":
            text += " \(result.lines ?? [])"
        case "uidl":
            // Message numbers only: the unique-ids differ by design.
            text += " \(result.lines?.map { $0.split(separator: " ").first.map(String.init) ?? "" } ?? [])"
            if result.step.contains(" "), result.ok { text += " \(result.response.split(separator: " ").prefix(2))" }
        default:
            break
        }
        return text
    }

    /// Sizes (STAT, LIST, the `+OK n octets` of RETR aside) and data of bare-LF, bare-CR
    /// and mixed-ending messages included: LIST counts a stored bare LF as CRLF, as Dovecot
    /// and RETR do.
    @Test func sameSessionSameAnswers() async throws {
        let messages = POP3TestMessages.all + POP3TestMessages.lineEndings
        let dovecot = try await POP3DovecotPeer.start(messages: messages)
        let ours = try await POP3ServerFixture.start(messages: messages, tls: false, plaintext: .allowedOnLoopback)
        var theirs: [POP3ClientScript.Result] = [], mine: [POP3ClientScript.Result] = []
        for (index, steps) in Self.sessions.enumerated() {
            theirs += try await POP3ClientScript(port: dovecot.port, steps: steps).run()
            mine += try await ours.script(steps).run()
            // The next session starts once ours has seen this one end (an aborted session
            // holds the maildrop lock until the server reads its end).
            try await waitUntil("session \(index + 1) ended") {
                ours.events.filter { if case .sessionEnded = $0 { true } else { false } }.count == index + 1
            }
        }
        await dovecot.stop()
        await ours.stop()
        let stepCount = Self.sessions.joined().count
        #expect(theirs.count == stepCount && mine.count == stepCount)
        for (their, my) in zip(theirs, mine) {
            #expect(Self.normalized(my) == Self.normalized(their))
        }
        // Each UIDL listing: unique-ids of 1 to 70 printable characters, all different.
        for result in mine where result.step == "uidl" {
            let ids = (result.lines ?? []).map { String($0.split(separator: " ").last ?? "") }
            #expect(Set(ids).count == ids.count)
            #expect(ids.allSatisfy { (1...70).contains($0.utf8.count) && $0.utf8.allSatisfy { (0x21...0x7E).contains($0) } })
        }
        // What the first session's QUIT removed (messages 1 and 4), and nothing else.
        #expect(try await ours.inboxContents() == [messages[1], messages[2], messages[4], messages[5], messages[6], messages[7]])
    }
}
