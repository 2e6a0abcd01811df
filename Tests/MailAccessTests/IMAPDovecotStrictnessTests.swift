import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Where the grammar draws the line, against Dovecot 2.3: the same 53 command lines sent to
/// Dovecot (logged in, INBOX selected again before each) and to the parser. What Dovecot
/// answers BAD the parser refuses as BAD; what Dovecot takes (OK or NO) the parser does not
/// call BAD. Lines where Dovecot is laxer than RFC 9051 are listed apart and not compared.
@Suite struct IMAPDovecotStrictnessTests {
    /// Dovecot answers these with OK although RFC 9051's grammar does not allow them; we BAD them.
    static let dovecotLaxer = [
        "x FETCH 1 BODY[]<0.0>", "x NOOP extra", "x ENABLE", "x ID (\"a\")",
    ]

    static let lines = [
        "x FETCH 1 (FLAGS", "x FETCH 1 BODY[1.]", "x FETCH 1 BODY[HEADER.FIELDS ()]", "x FETCH 1 (FLAGS) (VANISHED)",
        "x FETCH 0 FLAGS", "x FETCH 1 ((FLAGS))", "x FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (From)]<0.10> RFC822.SIZE)",
        "x FETCH 1:* FAST", "x UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)", "x FETCH 1 BINARY.PEEK[1]", "x FETCH 1 BODY[TEXT",
        "x SEARCH", "x SEARCH \"SEEN\"", "x SEARCH ()", "x SEARCH SINCE 1-Foo-2020", "x SEARCH seen since 1-feb-2020",
        "x SEARCH 1:*,5:3 UNSEEN", "x SEARCH OR SEEN", "x SEARCH NOT", "x SEARCH HEADER Subject", "x SEARCH LARGER x",
        "x SEARCH (OR SEEN FLAGGED) (NOT DELETED)", "x SEARCH RETURN (MIN MAX COUNT) ALL", "x SEARCH RETURN (BOGUS) ALL",
        "x SEARCH MODSEQ 1", "x UID SEARCH UID 1:*", "x STORE 1 +FLAGS \\Seen \\Flagged", "x STORE 1 +FLAGS ()",
        "x STORE 1 FLAGS (\\Seen", "x STORE 1 FLAGZ (\\Seen)", "x STORE 1 (UNCHANGEDSINCE 5) +FLAGS.SILENT (\\Seen)",
        "x STATUS INBOX ()", "x STATUS INBOX (FOO)", "x STATUS INBOX (MESSAGES UIDNEXT)", "x LIST \"\" (\"INBOX\" \"x\")",
        "x LIST () \"\" \"%\" RETURN ()", "x LIST \"\"", "x LIST (SUBSCRIBED) \"\" *", "x SELECT &Jjo", "x SELECT &AGE-",
        "x SELECT", "x EXAMINE INBOX (CONDSTORE)", "x COPY 1", "x UID COPY 1:* INBOX", "x ID NIL",
        "x CREATE x (USE (\\Sent))", "x UID EXPUNGE 1:*", "x UID EXPUNGE", "x APPEND", "x RENAME a", "x FROBNICATE",
        "x NAMESPACE", "x CHECK",
    ]

    static let probeScript = #"""
import json, socket, sys
port, lines = int(sys.argv[1]), json.load(open(sys.argv[2]))
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")
f.readline()
def send(line, tag):
    s.sendall(line.encode("utf-8") + b"\r\n")
    while True:
        reply = f.readline()
        if not reply:
            return "EOF"
        if reply.startswith(b"+"):
            return "CONTINUATION"
        if reply.startswith(tag.encode() + b" "):
            return reply.split(b" ")[1].decode()
send("s LOGIN alice secret1", "s")
results = []
for line in lines:
    send("s SELECT INBOX", "s")
    results.append(send(line, "x"))
print(json.dumps(results))
"""#

    @Test(.enabled(if: TestPeers.shouldRun(IMAPDovecotStructureTests.dovecotAvailable && TestPeers.python != nil)))
    func badWhereDovecotSaysBad() async throws {
        guard let dovecot = TestPeers.executable("dovecot"), let python = TestPeers.python else {
            Issue.record("dovecot or the Python virtual environment is missing (Scripts/install-test-deps)")
            return
        }
        let port = try ChildProcess.freePort()
        let peer = try IMAPDovecotPeer(dovecot: dovecot, imapPort: port)
        defer { peer.server.stop() }
        try await peer.server.waitForTCPPort(port)
        // One message, so FETCH 1 exists.
        let message = peer.folder.path("message")
        try Data("Subject: x\r\n\r\nbody\r\n".utf8).write(to: URL(fileURLWithPath: message))
        let delivery = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/lib/dovecot/dovecot-lda"), ["-c", peer.configurationPath, "-d", "alice", "-p", message])
        try #require(delivery.status == 0, "dovecot-lda: \(delivery.output)")
        try Self.probeScript.write(toFile: peer.folder.path("probe.py"), atomically: true, encoding: .utf8)
        let all = Self.lines + Self.dovecotLaxer
        try JSONSerialization.data(withJSONObject: all).write(to: URL(fileURLWithPath: peer.folder.path("lines.json")))
        let result = try await ChildProcess.run(python, [peer.folder.path("probe.py"), String(port), peer.folder.path("lines.json")])
        try #require(result.status == 0, "probe.py: \(result.output)")
        let json = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let answers = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
        try #require(answers.count == all.count)
        for (line, answer) in zip(all, answers) {
            let ours: String
            switch IMAPTestHelpers.events(Array((line + "\r\n").utf8)).first {
            case .command?: ours = "OK"
            case .failure(let failure)?: ours = failure.status.rawValue
            default: ours = "nothing"
            }
            if Self.dovecotLaxer.contains(line) {
                #expect(answer != "BAD" && ours == "BAD", "\(line): Dovecot \(answer), ours \(ours)")
            } else {
                #expect((answer == "BAD") == (ours == "BAD"), "\(line): Dovecot \(answer), ours \(ours)")
            }
        }
    }
}
