import CommunityMailMessage
import CommunityMailTestSupport
import Foundation
import Testing

@Suite("The message encoder: what it writes parses back")
struct OutgoingMessageTests {
    static let subject = "Votre adresse @ubuntu.com est prête — 準備ができました, with a long tail so it needs several encoded words"
    static let body = "Bonjour Zoë,\nline two has = and trailing spaces   \r\n\(String(repeating: "é", count: 120))\n.\nFrom the team"
    static let date = Date(timeIntervalSince1970: 1_793_697_300)

    static func sample() throws -> OutgoingMessage {
        try OutgoingMessage(
            from: "noreply@ubuntu.com", fromName: "Ubuntu, Community (mail)", to: ["alice@ubuntu.com", "bob@example.org"],
            subject: subject, body: body, date: date, headers: [("X-CommunityMail-Notice", "welcome ✓")])
    }

    /// The body as the encoder's reader sees it: CRLF lines, one final line break.
    static var expectedBody: String { body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") + "\r\n" }

    @Test("Our parser reads back the subject, sender, date, extra header and body")
    func parsesBack() throws {
        let outgoing = try Self.sample()
        let message = MailMessage(outgoing.data)
        #expect(outgoing.envelopeSender == "noreply@ubuntu.com" && outgoing.envelopeRecipients == ["alice@ubuntu.com", "bob@example.org"])
        #expect(message.envelope.subject == Self.subject)
        #expect(message.envelope.from == "\"Ubuntu, Community (mail)\" <noreply@ubuntu.com>")
        #expect(message.envelope.to == "alice@ubuntu.com, bob@example.org")
        #expect(message.envelope.date == Self.date)
        #expect(message.envelope.messageID?.hasSuffix("@ubuntu.com") == true)
        #expect(message.header.fields.first { $0.lowercasedName == "x-communitymail-notice" }?.decodedValue == "welcome ✓")
        #expect(message.textContent().text == Self.expectedBody)
    }

    @Test("Lines end in CRLF, stay within 78 characters in the header and 76 in the body; encoded words within 75")
    func lineLimits() throws {
        let outgoing = try Self.sample()
        let text = String(decoding: outgoing.data, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        #expect(outgoing.data.allSatisfy { $0 < 0x80 })
        let message = MailMessage(outgoing.data)
        let headerLines = String(decoding: message.rawHeader, as: UTF8.self).components(separatedBy: "\r\n")
        for line in headerLines { #expect(line.utf8.count <= 78, "\(line)") }
        for line in String(decoding: message.body, as: UTF8.self).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }
        let subject = try #require(message.header.fields.first { $0.lowercasedName == "subject" })
        #expect(String(decoding: subject.rawBytes, as: UTF8.self).components(separatedBy: "\r\n").count > 2)
        for word in subject.unfoldedValue.split(separator: " ") { #expect(word.count <= 75 && word.hasPrefix("=?utf-8?B?")) }
    }

    @Test("Line breaks in a subject or header value are encoded, never a new field")
    func noHeaderInjection() throws {
        let outgoing = try OutgoingMessage(
            from: "a@example.org", fromName: "A\r\nBcc: victim@example.org", to: ["b@example.org"],
            subject: "hi\r\nBcc: victim@example.org", body: "x", date: Self.date, headers: [("X-Note", "1\nBcc: c@example.org")])
        let header = MailMessage(outgoing.data).header
        #expect(header.all("bcc").isEmpty)
        #expect(MailMessage(outgoing.data).envelope.subject == "hi\r\nBcc: victim@example.org")
    }

    @Test("Unusable addresses and field names are typed errors that quote nothing")
    func hostileInput() {
        for address in ["", "no-at-sign", "a@b>\r\nRCPT TO:<c@d", "a b@c", String(repeating: "a", count: 250) + "@b.org"] {
            #expect(throws: MailMessageError.invalidAddress) {
                try OutgoingMessage(from: "a@example.org", fromName: "A", to: [address], subject: "s", body: "b", date: Self.date)
            }
            do {
                _ = try OutgoingMessage(from: address, fromName: "A", to: ["b@example.org"], subject: "s", body: "b", date: Self.date)
                Issue.record("accepted an unusable sender")
            } catch {
                #expect(error == .invalidAddress)
                #expect(address.isEmpty || !error.description.contains(address))
            }
        }
        #expect(throws: MailMessageError.invalidAddress) {
            try OutgoingMessage(from: "a@example.org", fromName: "A", to: [], subject: "s", body: "b", date: Self.date)
        }
        for name in ["", "Bad Name", "Bad:Name", "Bcc\r\nX", "Ünicode"] {
            #expect(throws: MailMessageError.invalidHeader) {
                try OutgoingMessage(
                    from: "a@example.org", fromName: "A", to: ["b@example.org"], subject: "s", body: "b", date: Self.date, headers: [(name, "v")])
            }
        }
    }

    static let peerScript = TestPeers.repositoryRoot.appendingPathComponent("Tests/CommunityMailMessageTests/Peers/parse_message.py")

    /// What Python's email package read from a message.
    struct PeerReading: Decodable {
        var subject: String
        var from_name: String
        var from_address: String
        var to: [String]
        var notice: String
        var date: Double
        var body: String
        var defects: [String]
        var bcc: Bool
    }

    @Test(
        "Python's email package (an independent RFC 5322 parser) reads the same message",
        .enabled(if: TestPeers.shouldRun(TestPeers.python != nil)))
    func pythonEmailPackageReadsIt() async throws {
        let python = try #require(TestPeers.python)
        let directory = try TemporaryDirectory()
        let path = directory.path("message.eml")
        try Data(try Self.sample().data).write(to: URL(fileURLWithPath: path))
        let (status, output) = try await ChildProcess.run(python, [Self.peerScript.path, path])
        try #require(status == 0, "\(output)")
        let reading = try JSONDecoder().decode(PeerReading.self, from: Data(output.utf8))
        #expect(reading.subject == Self.subject)
        #expect(reading.from_name == "Ubuntu, Community (mail)" && reading.from_address == "noreply@ubuntu.com")
        #expect(reading.to == ["alice@ubuntu.com", "bob@example.org"])
        #expect(reading.notice == "welcome ✓")
        #expect(reading.date == Self.date.timeIntervalSince1970)
        #expect(reading.body == Self.expectedBody.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(reading.defects.isEmpty)
        #expect(!reading.bcc)
    }
}
