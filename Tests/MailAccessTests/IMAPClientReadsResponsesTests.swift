import CommunityMailMessage
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Responses written by ``IMAPResponseEncoder`` read by PyPI imapclient 4.1 (over a
/// socketpair, from a fake server that plays them): FETCH with ENVELOPE (groups, literal
/// names), BODYSTRUCTURE, INTERNALDATE, MODSEQ and a BODY[] literal; LIST with a modified
/// UTF-7 name; STATUS; NAMESPACE. What imapclient understood must be what was meant.
@Suite struct IMAPClientReadsResponsesTests {
    static let readerScript = #"""
# Plays responses written by MailAccess's encoder to PyPI imapclient (over a socketpair, no
# network) and prints what imapclient made of them, as JSON.
import json, socket, sys, threading
import imaplib
import imapclient
import imapclient.imap4

responses = json.load(open(sys.argv[1]))
CAPS = b"IMAP4rev1 NAMESPACE UIDPLUS CONDSTORE"

def serve(sock):
    sock.settimeout(5)
    reader = sock.makefile("rb")
    sock.sendall(b"* OK [CAPABILITY " + CAPS + b"] ready\r\n")
    try:
        while True:
            line = reader.readline()
            if not line:
                return
            tag, _, rest = line.partition(b" ")
            words = rest.rstrip(b"\r\n").split(b" ")
            verb = words[0].upper()
            if verb == b"UID":
                verb = words[1].upper()
            payload = bytes.fromhex(responses.get(verb.decode(), ""))
            if verb == b"CAPABILITY":
                payload = b"* CAPABILITY " + CAPS + b"\r\n"
            if verb == b"LOGOUT":
                payload = b"* BYE bye\r\n"
            if verb == b"SELECT":
                payload = b"* FLAGS (\\Seen)\r\n* 2 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n"
            sock.sendall(payload + tag + b" OK done\r\n")
            if verb == b"LOGOUT":
                return
    except (socket.timeout, OSError):
        return

def create_socket(self, timeout=None):
    client, server = socket.socketpair()
    threading.Thread(target=serve, args=(server,), daemon=True).start()
    return client

imaplib.IMAP4._create_socket = create_socket
imapclient.imap4.IMAP4WithTimeout._create_socket = create_socket

def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value

def address(a):
    return [text(a.name), text(a.route), text(a.mailbox), text(a.host)]

def structure(body):
    if body.is_multipart:
        return {"parts": [structure(part) for part in body[0]], "subtype": text(body[1])}
    return {"type": text(body[0]), "subtype": text(body[1]), "size": body[6]}

c = imapclient.IMAPClient("fake", ssl=False, timeout=5)
c.normalise_times = False
c.login("fred", "secret")
c.select_folder("INBOX")
out = {}
fetched = c.fetch([7, 8], ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ", "ENVELOPE", "BODYSTRUCTURE", "BODY[]"])
for uid, data in sorted(fetched.items()):
    envelope = data.get(b"ENVELOPE")
    out[str(uid)] = {
        "flags": [text(f) for f in data.get(b"FLAGS", ())],
        "internaldate": data[b"INTERNALDATE"].isoformat() if b"INTERNALDATE" in data else None,
        "size": data.get(b"RFC822.SIZE"),
        "modseq": data.get(b"MODSEQ", [None])[0],
        "subject": text(envelope.subject) if envelope else None,
        "from": [address(a) for a in (envelope.from_ or ())] if envelope else None,
        "to": [address(a) for a in (envelope.to or ())] if envelope else None,
        "cc": [address(a) for a in (envelope.cc or ())] if envelope else None,
        "message_id": text(envelope.message_id) if envelope else None,
        "structure": structure(data[b"BODYSTRUCTURE"]) if b"BODYSTRUCTURE" in data else None,
        "body_length": len(data.get(b"BODY[]", b"")),
    }
out["folders"] = [[[text(f) for f in flags], text(delimiter), name] for flags, delimiter, name in c.list_folders()]
out["status"] = {text(k): v for k, v in c.folder_status("INBOX", ["MESSAGES", "UIDNEXT"]).items()}
namespace = c.namespace()
out["namespace"] = [[text(prefix), text(delimiter)] for prefix, delimiter in namespace.personal]
c.logout()
print(json.dumps(out))
"""#

    func hex(_ responses: [IMAPResponseData]) -> String {
        let encoder = IMAPResponseEncoder()
        return responses.flatMap { encoder.encode(.untagged($0)) }.map { String(format: "%02x", $0) }.joined()
    }

    func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test(.enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["imapclient"]))))
    func imapclientReadsOurResponses() async throws {
        guard let python = TestPeers.python else {
            Issue.record("no Python virtual environment (Scripts/install-test-deps)")
            return
        }
        let mixed = IMAPStructureCorpus.messages[1].bytes
        let addressed = IMAPStructureCorpus.messages[15].bytes
        let date = IMAPDateTime(date: IMAPDate(year: 2024, month: 1, day: 5), hour: 7, minute: 8, second: 9, zoneMinutes: 330)
        func items(_ bytes: [UInt8], uid: UInt32) -> [IMAPFetchItem] {
            let message = MailMessage(bytes)
            return [
                .uid(uid), .flags(["\\Seen", "$Forwarded"]), .internalDate(date), .rfc822Size(UInt64(bytes.count)), .modSeq(42),
                .envelope(IMAPEnvelope(message: message)), .bodyStructure(IMAPBodyStructure(message: message)),
                .bodySection(IMAPSection(), origin: nil, data: bytes),
            ]
        }
        let responses: [String: String] = [
            "FETCH": hex([.fetch(1, items(mixed, uid: 7)), .fetch(2, items(addressed, uid: 8))]),
            "LIST": hex([
                .list(IMAPListItem(attributes: ["\\HasNoChildren"], delimiter: "/", name: "INBOX")),
                .list(IMAPListItem(attributes: ["\\HasNoChildren", "\\Drafts"], delimiter: "/", name: "Entwürfe")),
                .list(IMAPListItem(attributes: [], delimiter: "/", name: "Sent Items")),
            ]),
            "STATUS": hex([.status(mailbox: "INBOX", values: [IMAPStatusValue(.messages, 2), IMAPStatusValue(.uidNext, 9)])]),
            "NAMESPACE": hex([.namespace(personal: [IMAPNamespace(prefix: "", delimiter: "/")], otherUsers: nil, shared: nil)]),
        ]
        let folder = try TemporaryDirectory(prefix: "imap-read")
        try Self.readerScript.write(toFile: folder.path("read.py"), atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: responses).write(to: URL(fileURLWithPath: folder.path("responses.json")))
        let result = try await ChildProcess.run(python, [folder.path("read.py"), folder.path("responses.json")])
        try #require(result.status == 0, "read.py: \(result.output)")
        let json = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let read = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let null = NSNull()
        let expected: [String: Any] = [
            "7": [
                "flags": ["\\Seen", "$Forwarded"], "internaldate": "2024-01-05T07:08:09+05:30", "size": mixed.count, "modseq": 42,
                "subject": null, "from": [[null, null, "a", "example.org"]], "to": [], "cc": [], "message_id": "<c2@test>",
                "structure": [
                    "parts": [
                        ["parts": [["type": "text", "subtype": "plain", "size": 2], ["type": "text", "subtype": "html", "size": 9]], "subtype": "alternative"],
                        ["type": "application", "subtype": "pdf", "size": 8],
                    ],
                    "subtype": "mixed",
                ],
                "body_length": mixed.count,
            ] as [String: Any],
            "8": [
                "flags": ["\\Seen", "$Forwarded"], "internaldate": "2024-01-05T07:08:09+05:30", "size": addressed.count, "modseq": 42,
                "subject": "a long subject folded with a tab and spaces",
                "from": [["Mary Smith", null, "mary", "x.test"], [null, null, "jdoe", "example.org"], ["Who?", null, "one", "y.test"]],
                "to": [
                    [null, null, "A Group", null], ["Ed Jones", null, "c", "a.test"], [null, null, "joe", "where.test"], ["John", null, "jdoe", "one.test"],
                    [null, null, null, null],
                ],
                "cc": [["Mary Smith: Personal Account", null, "smith", "home.example"], ["Joe Q. Public", null, "john.q.public", "example.com"]],
                "message_id": "<c16@test>",
                "structure": ["type": "text", "subtype": "plain", "size": 3],
                "body_length": addressed.count,
            ] as [String: Any],
            "folders": [[["\\HasNoChildren"], "/", "INBOX"], [["\\HasNoChildren", "\\Drafts"], "/", "Entwürfe"], [[], "/", "Sent Items"]],
            "status": ["MESSAGES": 2, "UIDNEXT": 9],
            "namespace": [["", "/"]],
        ]
        let understood = try canonical(read)
        let meant = try canonical(expected)
        #expect(understood == meant)
    }
}
