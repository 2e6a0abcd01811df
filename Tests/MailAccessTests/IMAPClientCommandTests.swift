import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// The bytes Python's imaplib and PyPI's imapclient send for a scripted session (every
/// command they have, recorded over a socketpair by a fake server that answers OK), fed to
/// the parser one byte per read: every command parses, and the tricky ones to the right
/// values (modified UTF-7 names, LITERAL+ search strings, APPEND dates, CHANGEDSINCE).
@Suite struct IMAPClientCommandTests {
    static let captureScript = #"""
# Records the exact bytes Python's imaplib and PyPI imapclient send for a scripted session,
# answering over a socketpair (no network): greeting, "+" for literals, IDLE and SASL
# continuations, "tag OK" for every command. Prints one JSON list of [kind, hex] units.
import base64, datetime, imaplib, json, socket, sys, threading
import imapclient
import imapclient.imap4

CAPS = b"IMAP4rev1 LITERAL+ IDLE NAMESPACE UIDPLUS MOVE ENABLE ID CONDSTORE QRESYNC ESEARCH SPECIAL-USE LIST-EXTENDED LIST-STATUS QUOTA UNSELECT AUTH=PLAIN SASL-IR UTF8=ACCEPT"
units = []

def serve(sock):
    sock.settimeout(5)
    reader = sock.makefile("rb")
    sock.sendall(b"* OK [CAPABILITY " + CAPS + b"] ready\r\n")
    try:
        while True:
            command = b""
            while True:
                line = reader.readline()
                if not line:
                    return
                command += line
                stripped = line.rstrip(b"\r\n")
                if stripped.endswith(b"}") and b"{" in stripped:
                    spec = stripped[stripped.rindex(b"{") + 1:-1]
                    sync = not spec.endswith(b"+")
                    size = int(spec.rstrip(b"+"))
                    if sync:
                        sock.sendall(b"+ go\r\n")
                    command += reader.read(size)
                    continue
                break
            units.append(["command", command.hex()])
            tag, _, rest = command.partition(b" ")
            verb = rest.split(b" ", 1)[0].rstrip(b"\r\n").upper()
            if verb == b"IDLE":
                sock.sendall(b"+ idling\r\n")
                done = reader.readline()
                units.append(["done", done.hex()])
            elif verb == b"AUTHENTICATE" and len(rest.split()) == 2:
                sock.sendall(b"+ \r\n")
                response = reader.readline()
                units.append(["auth", response.hex()])
            elif verb in (b"SELECT", b"EXAMINE"):
                sock.sendall(b"* FLAGS (\\Seen)\r\n* 0 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n" + tag + b" OK [READ-WRITE] done\r\n")
                continue
            elif verb == b"CAPABILITY":
                sock.sendall(b"* CAPABILITY " + CAPS + b"\r\n")
            elif verb == b"LOGOUT":
                sock.sendall(b"* BYE bye\r\n" + tag + b" OK done\r\n")
                return
            sock.sendall(tag + b" OK done\r\n")
    except (socket.timeout, OSError):
        return

def connected_pair():
    client, server = socket.socketpair()
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    return client, thread

def patch():
    def create_socket(self, timeout=None):
        client, thread = connected_pair()
        self._capture_thread = thread
        return client
    imaplib.IMAP4._create_socket = create_socket
    imapclient.imap4.IMAP4WithTimeout._create_socket = create_socket

def attempt(call):
    try:
        call()
    except Exception as error:  # the fake server's bare OKs do not satisfy every parser
        sys.stderr.write(repr(error) + "\n")

patch()
message = b"From: a@example.org\r\nSubject: test\r\n\r\nbody\r\n"

# imaplib
m = imaplib.IMAP4("fake")
attempt(lambda: m.login("fred", 'p"w\\d'))
attempt(lambda: m.select("INBOX"))
attempt(lambda: m.search(None, "FROM", '"smith"', "SINCE", "1-Feb-1994"))
attempt(lambda: m.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(datetime.datetime(2024, 1, 5, 7, 8, 9, tzinfo=datetime.timezone.utc)), message))
attempt(lambda: m.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] RFC822.SIZE)"))
attempt(lambda: m.uid("STORE", "1:3", "+FLAGS.SILENT", "(\\Deleted)"))
attempt(lambda: m.uid("COPY", "1", "Archive"))
attempt(lambda: m.status("INBOX", "(MESSAGES UIDNEXT UNSEEN)"))
attempt(lambda: m.list('""', "*"))
attempt(lambda: m.lsub('""', "*"))
attempt(lambda: m.create('"Sent Items"'))
attempt(lambda: m.rename('"Sent Items"', "Sent"))
attempt(lambda: m.subscribe("Sent"))
attempt(lambda: m.unsubscribe("Sent"))
attempt(lambda: m.delete("Sent"))
attempt(lambda: m.getquotaroot("INBOX"))
attempt(lambda: m.getquota('""'))
attempt(lambda: m.setquota('""', "(STORAGE 512)"))
attempt(lambda: m.namespace())
attempt(lambda: m.check())
attempt(lambda: m.expunge())
attempt(lambda: m.unselect())
attempt(lambda: m.select("INBOX"))
attempt(lambda: m.close())
attempt(lambda: m.noop())
attempt(lambda: m.logout())

# imapclient
c = imapclient.IMAPClient("fake", ssl=False, timeout=5)
attempt(lambda: c.plain_login("fred", "secret"))
attempt(lambda: c.id_({"name": "imapclient-test", "version": "1"}))
attempt(lambda: c.enable("CONDSTORE", "UTF8=ACCEPT"))
attempt(lambda: c.list_folders())
attempt(lambda: c.list_sub_folders())
attempt(lambda: c.create_folder("Entwürfe"))
attempt(lambda: c.folder_status("Entwürfe", ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"]))
attempt(lambda: c.select_folder("INBOX"))
attempt(lambda: c.search(["NOT", "DELETED", "SINCE", datetime.date(2024, 3, 1), "OR", "SEEN", "FLAGGED"]))
attempt(lambda: c.search(["TEXT", "café"], charset="UTF-8"))
attempt(lambda: c.search(["HEADER", "Message-ID", "<x@y>", "LARGER", 100]))
attempt(lambda: c.fetch([1, 2, 5], ["FLAGS", "ENVELOPE", "BODYSTRUCTURE", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[]", "BODY.PEEK[1.MIME]"]))
attempt(lambda: c.fetch("1:*", ["FLAGS"], modifiers=["CHANGEDSINCE 42"]))
attempt(lambda: c.add_flags([3, 4], [imapclient.SEEN, b"$Forwarded"]))
attempt(lambda: c.remove_flags([3], [imapclient.FLAGGED], silent=True))
attempt(lambda: c.set_flags([3], [imapclient.DRAFT]))
attempt(lambda: c.append("INBOX", message, flags=(imapclient.SEEN,), msg_time=datetime.datetime(2024, 1, 5, 7, 8, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)))))
attempt(lambda: c.copy([1, 2], "Archive"))
attempt(lambda: c.move([1, 2], "Trash"))
attempt(lambda: c.expunge([7, 8]))
attempt(lambda: c.idle())
attempt(lambda: c.idle_done())
attempt(lambda: c.get_quota_root("INBOX"))
attempt(lambda: c.namespace())
attempt(lambda: c.unselect_folder())
attempt(lambda: c.rename_folder("Entwürfe", "Drafts"))
attempt(lambda: c.delete_folder("Drafts"))
attempt(lambda: c.noop())
attempt(lambda: c.logout())

json.dump(units, sys.stdout)
"""#

    @Test(.enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["imapclient"]))))
    func pythonClientsCommandsParse() async throws {
        guard let python = TestPeers.python else {
            Issue.record("no Python virtual environment (Scripts/install-test-deps)")
            return
        }
        let folder = try TemporaryDirectory(prefix: "imap-clients")
        let scriptPath = folder.path("capture.py")
        try Self.captureScript.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.run(python, [scriptPath])
        try #require(result.status == 0, "capture.py: \(result.output)")
        // stdout and stderr share the log: the JSON is the last line.
        let json = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let units = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String]])
        var parser = IMAPCommandParser()
        var commands: [IMAPCommand] = []
        var others = 0
        for unit in units {
            guard unit.count == 2, let bytes = Self.bytes(hex: unit[1]) else {
                Issue.record("bad unit \(unit)")
                continue
            }
            if unit[0] == "done" { parser.expectIdleDone() }
            if unit[0] == "auth" { parser.expectAuthenticationResponse() }
            var events: [IMAPParserEvent] = []
            for byte in bytes {
                parser.append([byte])
                while let event = parser.next() { events.append(event) }
            }
            events.removeAll { $0 == .continuationRequest }
            #expect(events.count == 1, "\(unit[0]) \(String(decoding: bytes.prefix(60), as: UTF8.self))")
            switch events.first {
            case .command(let command)?: commands.append(command)
            case .idleDone?, .authenticationResponse(.response)?: others += 1
            default: Issue.record("\(String(decoding: bytes.prefix(60), as: UTF8.self)): \(String(describing: events.first))")
            }
        }
        #expect(commands.count >= 55)
        #expect(others == 2)
        let kinds = commands.map(\.kind)
        #expect(kinds.contains(.login(username: "fred", password: IMAPSecret(Array("p\"w\\d".utf8)))))
        #expect(kinds.contains(.create(mailbox: "Entwürfe", specialUse: [])))
        #expect(kinds.contains(.rename(from: "Entwürfe", to: "Drafts")))
        #expect(kinds.contains(.create(mailbox: "Sent Items", specialUse: [])))
        #expect(kinds.contains(.search(IMAPSearchCommand(charset: "UTF-8", key: .text("café")), uid: true)))
        #expect(
            kinds.contains(
                .search(
                    IMAPSearchCommand(key: .and([.not(.deleted), .since(IMAPDate(year: 2024, month: 3, day: 1)), .or(.seen, .flagged)])), uid: true)))
        #expect(kinds.contains(.fetch(.ranges([IMAPSequenceRange(.number(1), .last)]), attributes: [.flags, .uid, .modSeq], modifiers: .init(changedSince: 42), uid: true)))
        #expect(kinds.contains(.uidExpunge(.ranges([IMAPSequenceRange(7), IMAPSequenceRange(8)]))))
        let message = Array("From: a@example.org\r\nSubject: test\r\n\r\nbody\r\n".utf8)
        let date = IMAPDateTime(date: IMAPDate(year: 2024, month: 1, day: 5), hour: 7, minute: 8, second: 9, zoneMinutes: 330)
        #expect(kinds.contains(.append(mailbox: "INBOX", messages: [IMAPAppendMessage(flags: ["\\Seen"], internalDate: date, data: message)])))
        #expect(kinds.contains(.move(.ranges([IMAPSequenceRange(1), IMAPSequenceRange(2)]), mailbox: "Trash", uid: true)))
        #expect(kinds.contains(.id([IMAPIDField(name: "name", value: "imapclient-test"), IMAPIDField(name: "version", value: "1")])))
    }

    static func bytes(hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return bytes
    }
}
