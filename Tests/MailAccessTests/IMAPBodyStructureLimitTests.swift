import CommunityMailMessage
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// BODYSTRUCTURE (and the ENVELOPEs of embedded messages in it) of hostile messages: at
/// most ``IMAPBodyStructure/maximumParts`` entities, the same budget BODY[section] uses, so
/// the parts BODYSTRUCTURE lists are exactly those a client can fetch; at most
/// ``IMAPBodyStructure/maximumDepth`` levels. Compared with Dovecot 2.3 for a message
/// beyond its `max_total_mime_parts`.
@Suite struct IMAPBodyStructureLimitTests {
    /// A multipart/mixed message of `count` text parts `part 1` ... `part count`.
    static func manyParts(_ count: Int, subtype: String = "mixed", partHeader: String = "") -> [UInt8] {
        var text = "Subject: many\r\nContent-Type: multipart/\(subtype); boundary=b\r\n\r\n"
        for number in 1...count { text += "--b\r\n\(partHeader)\r\npart \(number)\r\n" }
        return Array((text + "--b--\r\n").utf8)
    }

    static func items(_ items: String, of bytes: [UInt8]) throws -> [IMAPFetchItem] {
        let attributes = try #require(IMAPFetchTestMailbox.attributes(items))
        let message = FetchedMessage(
            uid: 1, flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 0), modSeq: 1,
            size: MessageSize.inRFC5322Form(bytes), envelope: MessageEnvelope(), content: bytes)
        return try IMAPFetchResponder(attributes: attributes).items(for: message)
    }

    static func data(_ item: IMAPFetchItem) -> [UInt8]? {
        if case .bodySection(_, _, let data) = item { return data }
        return nil
    }

    /// The leaves of a structure, depth first, and its deepest level.
    static func leaves(_ structure: IMAPBodyStructure, depth: Int = 0) -> (leaves: [IMAPBodyPart], depth: Int) {
        switch structure {
        case .single(let part):
            if case .message(_, let inner, _) = part.kind {
                let nested = leaves(inner, depth: depth + 1)
                return ([part] + nested.leaves, nested.depth)
            }
            return ([part], depth)
        case .multipart(let body):
            var all: [IMAPBodyPart] = []
            var deepest = depth
            for part in body.parts {
                let nested = leaves(part, depth: depth + 1)
                all += nested.leaves
                deepest = max(deepest, nested.depth)
            }
            return (all, deepest)
        }
    }

    /// 100,000 parts: 9,999 described (the message itself is the first entity), the last
    /// holding the rest of the multipart, and exactly those can be fetched.
    @Test func aHundredThousandPartsAreCappedAsSectionsAre() throws {
        let message = Self.manyParts(100_000)
        let structure = IMAPBodyStructure(message: MailMessage(message))
        guard case .multipart(let body) = structure else {
            Issue.record("not a multipart: \(structure)")
            return
        }
        #expect(body.parts.count == IMAPBodyStructure.maximumParts - 1)
        let items = try Self.items("BODY.PEEK[9998] BODY.PEEK[9999] BODY.PEEK[10000]", of: message)
        try #require(items.count == 3)
        #expect(Self.data(items[0]).map { String(decoding: $0, as: UTF8.self) } == "part 9998")
        let rest = try #require(Self.data(items[1]))
        #expect(String(decoding: rest.prefix(20), as: UTF8.self) == "part 9999\r\n--b\r\n\r\npa")
        #expect(String(decoding: rest.suffix(20), as: UTF8.self) == "part 100000\r\n--b--\r\n")
        #expect(Self.data(items[2]) == [])
        // The last part described is the rest: its size is the length of BODY[9999].
        guard case .single(let last)? = body.parts.last else {
            Issue.record("the last part is not a leaf")
            return
        }
        #expect(last.size == UInt64(rest.count))
        #expect(last.type == "text" && last.subtype == "plain")
    }

    /// A 15 MB body of bare `--b` delimiter lines, each followed by a blank line (three
    /// million parts of an empty header and no body): only the
    /// parts the budget takes are sliced, the 9,999th holding the rest, for BODYSTRUCTURE
    /// and BODY[section] alike.
    @Test func millionsOfDelimiterLinesAreCutAtTheBudget() throws {
        let header = Array("Subject: delimiters\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n".utf8)
        let message = header + Array(repeating: Array("--b\n\n".utf8), count: 3_000_000).flatMap { $0 }
        let body = message[header.count...]
        // What both callers ask the walker for: at most the budget, and whether more follow.
        let found = MIMEWalker.parts(of: body, boundary: Array("--b".utf8), limit: IMAPBodyStructure.maximumParts - 1)
        #expect(found.parts.count == IMAPBodyStructure.maximumParts - 1 && found.more)
        let structure = IMAPBodyStructure(message: MailMessage(message))
        guard case .multipart(let multipart) = structure else {
            Issue.record("not a multipart")
            return
        }
        #expect(multipart.parts.count == IMAPBodyStructure.maximumParts - 1)
        let items = try Self.items("BODY.PEEK[9998] BODY.PEEK[9999] BODY.PEEK[10000]", of: message)
        try #require(items.count == 3)
        #expect(Self.data(items[0]) == [])
        let rest = try #require(Self.data(items[1]))
        // Parts 1 to 9,998 are empty: the rest's body starts after the 9,999th delimiter
        // line and its blank line, and runs to the end (in CRLF form, as BODY[] sends it).
        #expect(rest.count == MessageSize.inRFC5322Form(body.dropFirst(5 * (IMAPBodyStructure.maximumParts - 1))))
        #expect(String(decoding: rest.prefix(10), as: UTF8.self) == "--b\r\n\r\n--b")
        #expect(Self.data(items[2]) == [])
        guard case .single(let last)? = multipart.parts.last else {
            Issue.record("the last part is not a leaf")
            return
        }
        #expect(last.size == UInt64(rest.count))
    }

    /// Embedded messages count too (each message/rfc822 part is two entities: the part and
    /// its message): BODYSTRUCTURE lists the parts BODY[n] finds, no more, no fewer.
    @Test func embeddedMessagesCountAndBothAgree() throws {
        // Each part: no MIME header (message/rfc822 by default in a digest), then its message.
        let message = Self.manyParts(6_000, subtype: "digest", partHeader: "\r\nSubject: inner\r\nFrom: a@example.org\r\n")
        let structure = IMAPBodyStructure(message: MailMessage(message))
        guard case .multipart(let body) = structure else {
            Issue.record("not a multipart")
            return
        }
        // 1 (the message) + 2 per part: the budget runs out within the 5,000th part.
        let count = body.parts.count
        #expect(count < 6_000 && count >= (IMAPBodyStructure.maximumParts - 1) / 2)
        let items = try Self.items("BODY.PEEK[\(count - 1).TEXT] BODY.PEEK[\(count)] BODY.PEEK[\(count + 1)]", of: message)
        try #require(items.count == 3)
        #expect(Self.data(items[0]).map { String(decoding: $0, as: UTF8.self) } == "part \(count - 1)")
        #expect(Self.data(items[1])?.isEmpty == false)
        #expect(Self.data(items[2]) == [])
        // Every part before the last one describes its embedded message with an ENVELOPE.
        guard case .single(let first)? = body.parts.first, case .message(let envelope, _, _) = first.kind else {
            Issue.record("the first part is not a message")
            return
        }
        #expect(envelope.subject == "inner")
    }

    /// 10,000 nested multiparts and 10,000 nested messages: described to
    /// ``IMAPBodyStructure/maximumDepth`` levels, the rest one opaque leaf; BODYSTRUCTURE and
    /// BODY[] are answered.
    @Test func tenThousandLevelsAreBounded() throws {
        var nested = ""
        for level in 0..<10_000 { nested += "--n\(level)\r\nContent-Type: multipart/mixed; boundary=n\(level + 1)\r\n\r\n" }
        let multiparts = Array(("Content-Type: multipart/mixed; boundary=n0\r\n\r\n" + nested + "deep\r\n").utf8)
        let messages = Array((String(repeating: "Content-Type: message/rfc822\r\n\r\n", count: 10_000) + "Subject: deep\r\n\r\nbody\r\n").utf8)
        for message in [multiparts, messages] {
            let structure = IMAPBodyStructure(message: MailMessage(message))
            let described = Self.leaves(structure)
            #expect(described.depth <= IMAPBodyStructure.maximumDepth)
            #expect(described.leaves.last?.type == "application" && described.leaves.last?.subtype == "octet-stream")
            let items = try Self.items("BODYSTRUCTURE BODY.PEEK[]", of: message)
            #expect(items.count == 2)
            #expect(Self.data(items[1])?.count == message.count)
        }
    }

    static let dovecotAvailable =
        TestPeers.executable("dovecot") != nil && FileManager.default.isExecutableFile(atPath: "/usr/lib/dovecot/imap")
        && TestPeers.pythonHas(["imaplib"])

    static let script = #"""
import base64, imaplib, json, sys
port, path = int(sys.argv[1]), sys.argv[2]
M = imaplib.IMAP4('127.0.0.1', port)
M.login('alice', 'secret1')
typ, _ = M.append('INBOX', None, None, open(path, 'rb').read())
assert typ == 'OK', typ
M.select('INBOX')
out = {}
typ, data = M.fetch('1', '(BODYSTRUCTURE)')
out['BODYSTRUCTURE'] = data[0].decode('latin-1')
for section in ['9998', '9999', '10000']:
    typ, data = M.fetch('1', '(BODY.PEEK[%s])' % section)
    out[section] = base64.b64encode(data[0][1]).decode() if isinstance(data[0], tuple) else None
M.logout()
print(json.dumps(out))
"""#

    /// Dovecot 2.3 with the same 12,000-part message: the same BODYSTRUCTURE (9,999 parts,
    /// the last holding the rest) and the same BODY[9998], BODY[9999], BODY[10000].
    @Test(.enabled(if: TestPeers.shouldRun(dovecotAvailable)))
    func beyondTheLimitAsDovecotAnswers() async throws {
        guard let dovecot = TestPeers.executable("dovecot"), let python = TestPeers.python else {
            Issue.record("dovecot or the Python venv is missing (Scripts/peers/imap.apt, Scripts/install-test-deps)")
            return
        }
        let message = Self.manyParts(12_000)
        let port = try ChildProcess.freePort()
        let peer = try IMAPDovecotPeer(dovecot: dovecot, imapPort: port)
        defer { peer.server.stop() }
        try await peer.server.waitForTCPPort(port)
        let messagePath = peer.folder.path("message.eml")
        try Data(message).write(to: URL(fileURLWithPath: messagePath))
        let scriptPath = peer.folder.path("structure.py")
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.run(python, [scriptPath, String(port), messagePath])
        try #require(result.status == 0, "structure.py: \(result.output)")
        let json = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let ourItems = try Self.items("BODYSTRUCTURE BODY.PEEK[9998] BODY.PEEK[9999] BODY.PEEK[10000]", of: message)
        try #require(ourItems.count == 4)
        // imaplib gives `1 (BODYSTRUCTURE ...)`: the line without `* ` and `FETCH `.
        let line = IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, [ourItems[0]]))))
        let ours = String(line.dropFirst("* 1 FETCH ".count).dropLast())  // CRLF is one Character
        let their = (theirs["BODYSTRUCTURE"] as? String).map { String($0.dropFirst("1 ".count)) }
        #expect(ours == their, "ours \(ours.suffix(200)) Dovecot's \(their?.suffix(200) ?? "nil")")
        for (index, section) in ["9998", "9999", "10000"].enumerated() {
            let their = (theirs[section] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            #expect(Self.data(ourItems[index + 1]) == their, "BODY[\(section)]")
        }
    }
}
