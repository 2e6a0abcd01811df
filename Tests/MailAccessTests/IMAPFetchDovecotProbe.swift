import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Runs FETCH items and SEARCH keys against Dovecot 2.3 (dovecot-imapd, IMAP4rev1) on a
/// loopback port, driven by Python's imaplib: APPENDs ``IMAPFetchCorpus`` (flags, keywords
/// and internal dates included, so UID n is entry n-1 as in our mailboxes), SELECTs INBOX
/// (so every message is `\Recent` in that session), then sends one `UID SEARCH` per key and
/// one `UID FETCH n (item)` per message and item (searches first: FETCH without PEEK sets
/// `\Seen`).
enum IMAPFetchDovecotProbe {
    static let available =
        TestPeers.executable("dovecot") != nil && FileManager.default.isExecutableFile(atPath: "/usr/lib/dovecot/imap")
        && TestPeers.pythonHas([])

    /// One FETCH answer: the status, the item's label as Dovecot wrote it (`BODY[1]<2>`,
    /// `BINARY.SIZE[1] 13`), and its data (nil for NIL or no literal).
    struct FetchAnswer: Sendable {
        var status: String
        var label: String
        var data: [UInt8]?
    }

    /// One SEARCH answer: the status line (`OK`, or `NO [BADCHARSET ...] ...`) and the UIDs.
    struct SearchAnswer: Sendable {
        var status: String
        var uids: [UInt32]
    }

    struct Answers: Sendable {
        /// `fetch[uid - 1][item]`.
        var fetch: [[String: FetchAnswer]]
        var search: [String: SearchAnswer]
    }

    /// A search key to send: its text, and a UTF-8 string to send as a literal after it
    /// with `CHARSET UTF-8` (imaplib's way for 8-bit strings).
    struct SearchKey: Sendable, Hashable {
        var text: String
        var literal: String?
        /// What our parser reads: the same command on one line.
        var commandLine: String {
            guard let literal else { return text }
            return "CHARSET UTF-8 \(text) {\(literal.utf8.count)+}\r\n\(literal)"
        }
        /// How results are keyed.
        var name: String { literal.map { "\(text) \($0)" } ?? text }
    }

    static let script = #"""
import base64, imaplib, json, re, sys
port, plan_path = int(sys.argv[1]), sys.argv[2]
plan = json.load(open(plan_path))
M = imaplib.IMAP4('127.0.0.1', port)
M.login('alice', 'secret1')
for m in plan['messages']:
    typ, data = M.append('INBOX', m['flags'], m['date'], base64.b64decode(m['b64']))
    if typ != 'OK':
        raise SystemExit('APPEND failed: %r' % data)
M.select('INBOX')
search = {}
for key in plan['searches']:
    try:
        if key['literal'] is not None:
            M.literal = key['literal'].encode('utf-8')
            typ, data = M.uid('SEARCH', 'CHARSET', 'UTF-8', key['text'])
        else:
            typ, data = M.uid('SEARCH', key['text'])
        status = typ if typ == 'OK' else typ + ' ' + repr(data)
        uids = [int(x) for x in data[0].split()] if typ == 'OK' and data and data[0] else []
    except imaplib.IMAP4.error as error:
        status, uids = 'NO ' + str(error), []
    search[key['name']] = [status, uids]
label_re = re.compile(rb'^\d+ \(UID \d+ (.*?)(?: ~?\{\d+\})?$', re.S)
plain_re = re.compile(rb'^\d+ \(UID \d+ (.*)\)$', re.S)
fetch = []
for uid in range(1, len(plan['messages']) + 1):
    answers = {}
    for item in plan['fetches']:
        typ, data = M.uid('FETCH', str(uid), '(' + item + ')')
        status = typ
        if typ != 'OK':
            status = typ + ' ' + b' '.join(d for d in data if isinstance(d, bytes)).decode('latin-1')
        label, payload = '', None
        for element in data:
            if isinstance(element, tuple):
                match = label_re.match(element[0])
                if match:
                    label, payload = match.group(1).decode('latin-1'), base64.b64encode(element[1]).decode()
            elif isinstance(element, bytes):
                match = plain_re.match(element)
                if match and match.group(1):
                    label = match.group(1).decode('latin-1')
        answers[item] = [status, label, payload]
    fetch.append(answers)
M.logout()
json.dump({'fetch': fetch, 'search': search}, sys.stdout)
"""#

    /// Dovecot's answers for the corpus.
    static func run(fetches: [String], searches: [SearchKey]) async throws -> Answers {
        guard let dovecot = TestPeers.executable("dovecot"), let python = TestPeers.python else {
            throw PeerError("dovecot or the Python venv is missing (Scripts/peers/imap.apt, Scripts/install-test-deps)")
        }
        let port = try ChildProcess.freePort()
        let peer = try IMAPDovecotPeer(dovecot: dovecot, imapPort: port)
        defer { peer.server.stop() }
        try await peer.server.waitForTCPPort(port)
        let months = IMAPDate.monthNames
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let messages: [[String: String]] = IMAPFetchCorpus.entries.map { entry in
            let date = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(entry.internalDate)))
            let text = String(
                format: "\"%02d-%@-%04d %02d:%02d:%02d +0000\"", date.day ?? 1, months[(date.month ?? 1) - 1], date.year ?? 1970,
                date.hour ?? 0, date.minute ?? 0, date.second ?? 0)
            return ["b64": Data(entry.bytes).base64EncodedString(), "flags": "(" + (entry.flags.imapNames + entry.keywords).joined(separator: " ") + ")", "date": text]
        }
        let plan: [String: Any] = [
            "messages": messages, "fetches": fetches,
            "searches": searches.map { ["text": $0.text, "literal": $0.literal as Any, "name": $0.name] },
        ]
        let planPath = peer.folder.path("plan.json")
        try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: planPath))
        let scriptPath = peer.folder.path("probe.py")
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.run(python, [scriptPath, String(port), planPath])
        guard result.status == 0 else { throw PeerError("probe.py: \(result.output)\n\(peer.server.output)") }
        let json = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let fetched = object["fetch"] as? [[String: [Any]]], let searched = object["search"] as? [String: [Any]]
        else { throw PeerError("probe.py printed no answers: \(result.output)") }
        let fetch = fetched.map { answers in
            answers.mapValues { answer in
                FetchAnswer(
                    status: answer[0] as? String ?? "", label: answer[1] as? String ?? "",
                    data: (answer[2] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) })
            }
        }
        let search = searched.mapValues { answer in
            SearchAnswer(status: answer[0] as? String ?? "", uids: (answer[1] as? [Int] ?? []).map { UInt32($0) })
        }
        return Answers(fetch: fetch, search: search)
    }
}
