import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// A 10,000-message encrypted mailbox pulled over POP3 (STLS) by fetchmail, byte for byte
/// after line-end normalisation, then left as it was (the client keeps the mail).
@Suite(.enabled(if: TestPeers.shouldRun(TestPeers.executable("fetchmail") != nil)))
struct POP3LargeMailboxTests {
    static let count = 10_000

    /// Message `index`: a few header fields, a body of a few lines, some starting with a
    /// dot, every seventh with bare LF line ends.
    static func message(_ index: Int) -> [UInt8] {
        let end = index % 7 == 0 ? "\n" : "\r\n"
        var lines = ["From: sender\(index % 97)@example.org", "To: alice@example.org", "Subject: message \(index)",
                     "Message-ID: <\(index)@example.org>", ""]
        for line in 0..<(index % 13 + 1) { lines.append(line % 4 == 0 ? ".line \(line) of \(index)" : "line \(line) of message \(index)") }
        return Array((lines.joined(separator: end) + end).utf8)
    }

    @Test func fetchmailPullsTenThousandMessages() async throws {
        let fixture = try await POP3ServerFixture.start(messages: [])
        let mailbox = try await fixture.store.createMailboxIfNeeded()
        var start = 0
        while start < Self.count {
            let batch = (start..<min(start + 1_000, Self.count)).map {
                MessageToAppend(Self.message($0), internalDate: Date(timeIntervalSince1970: 1_800_000_000))
            }
            try await mailbox.append(contentsOf: batch, to: "INBOX")
            start += batch.count
        }
        await mailbox.close()

        // The login reads every message once to measure it (CRLF-normalised sizes).
        let loginStarted = ContinuousClock.now
        let login = try await fixture.script(["connect", "user alice", "pass secret1", "stat", "quit"]).run()
        print("STLS login + STAT + QUIT on \(Self.count) messages took \(ContinuousClock.now - loginStarted) (debug build; not asserted)")
        #expect(login[3].response.hasPrefix("+OK \(Self.count) "))

        let started = ContinuousClock.now
        let pull = try await FetchmailPull.run(from: fixture, keep: true)
        let elapsed = ContinuousClock.now - started
        #expect(pull.status == 0, "\(pull.output.suffix(2_000))")
        let texts = try pull.deliveredTexts()
        #expect(texts.count == Self.count)
        var byNumber: [Int: String] = [:]
        for text in texts {
            let got = POP3ClientInteropTests.withoutAddedTrace(text, fields: ["Received"])
            guard let subject = got.components(separatedBy: "\n").first(where: { $0.hasPrefix("Subject: message ") }),
                let number = Int(subject.dropFirst("Subject: message ".count))
            else {
                Issue.record("a message without its number")
                continue
            }
            byNumber[number] = got
        }
        var mismatches = 0
        for index in 0..<Self.count where byNumber[index] != POP3ClientInteropTests.normalized(Self.message(index)) { mismatches += 1 }
        #expect(mismatches == 0)
        print("fetchmail pulled \(Self.count) messages over STLS in \(elapsed) (debug build; not asserted)")
        await fixture.stop()
        #expect(try await fixture.inboxContents().count == Self.count)
    }
}

extension MailboxStore {
    /// Alice's mailbox, which the fixture already created (empty).
    func createMailboxIfNeeded() async throws -> any Mailbox {
        try await openMailbox(userID: POP3ServerFixture.login, passphrase: POP3ServerFixture.password, readOnly: false)
    }
}
