import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

@testable import MailAccess

/// The fast path of opening a folder: SELECT reads every message's state once
/// (`Mailbox.snapshot(of:)`), and a state-only FETCH (`UID FETCH 1:* (FLAGS)`, FLAGS, UID,
/// MODSEQ) answers from it brought up to date with the mailbox's changes since. The answers
/// must be those a fresh read gives, whatever changed in between and whoever changed it.
@Suite("IMAP session: SELECT state and state-only FETCH", .timeLimit(.minutes(2)))
struct IMAPSessionStateFetchTests {
    /// More messages than the state-only FETCH path needs (64).
    static let count = 100

    /// `count` messages, claimed as `\Recent` by an earlier session unless `claimed` is false.
    static func mailbox(_ kind: IMAPSessionMailboxKind, claimed: Bool = true) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make()
        var batch: [MessageToAppend] = []
        for number in 1...count {
            var flags = MessageFlags()
            if number % 3 == 0 { flags.insert(.seen) }
            if number % 7 == 0 { flags.insert(.flagged) }
            batch.append(
                MessageToAppend(
                    IMAPSessionMessages.message(number), flags: flags, keywords: number % 5 == 0 ? ["$Work"] : [],
                    internalDate: Date(timeIntervalSince1970: 1_700_000_000)))
        }
        _ = try await fixture.mailbox.append(contentsOf: batch, to: "INBOX")
        // Seen by an earlier session: not \Recent in the sessions of these tests.
        if claimed { _ = try await fixture.mailbox.claimAllRecent(in: "INBOX") }
        return fixture
    }

    /// What each `* n FETCH (...)` line says: keyed by its UID (by n when it has none),
    /// `FLAGS (...)` and, when present, ` MODSEQ (m)`. The last line for a key wins (an
    /// unsolicited update after the command's own line is the newer state).
    static func flagsByUID(_ lines: [String]) -> [UInt32: String] {
        func value(after marker: String, in line: String, upTo end: Character) -> String? {
            guard let range = line.range(of: marker) else { return nil }
            let rest = line[range.upperBound...]
            guard let close = rest.firstIndex(of: end) else { return nil }
            return String(rest[..<close])
        }
        var result: [UInt32: String] = [:]
        for line in lines where line.hasPrefix("* ") && line.contains(" FETCH (") {
            guard let flags = value(after: "FLAGS (", in: line, upTo: ")") else { continue }
            let number = value(after: "* ", in: line, upTo: " ").flatMap { UInt32($0) }
            let uid = value(after: " UID ", in: line + " ", upTo: " ").flatMap { UInt32($0.trimmingCharacters(in: CharacterSet(charactersIn: ")"))) }
            guard let key = uid ?? number else { continue }
            var text = "FLAGS (\(flags))"
            if let modSeq = value(after: "MODSEQ (", in: line, upTo: ")") { text += " MODSEQ (\(modSeq))" }
            result[key] = text
        }
        return result
    }

    /// The flags the mailbox itself records, as a FETCH FLAGS line writes them (with
    /// `\Recent` after the system flags when `recent`).
    static func recordedFlags(_ mailbox: any Mailbox, recent: Bool = false) async throws -> [UInt32: String] {
        var result: [UInt32: String] = [:]
        for message in try await mailbox.changes(in: "INBOX", since: 0).changed {
            let names = message.flags.imapNames + (recent ? ["\\Recent"] : []) + message.keywords
            result[message.uid] = "FLAGS (" + names.joined(separator: " ") + ")"
        }
        return result
    }

    @Test("\\Recent in the state-only FETCH: SELECT claims, UID FETCH 1:* (FLAGS) shows it on each; a second SELECT sees none", arguments: IMAPSessionMailboxKind.allCases)
    func recentInStateFetch(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, claimed: false)
        let first = IMAPSessionDriver(fixture.mailbox)
        #expect(try await first.run("a SELECT INBOX").contains("* \(Self.count) RECENT"))
        let lines = try await first.run("b UID FETCH 1:* (FLAGS)")
        #expect(lines.last == "b OK FETCH completed")
        #expect(lines.count == Self.count + 1)
        #expect(Self.flagsByUID(lines) == (try await Self.recordedFlags(fixture.mailbox, recent: true)))
        let second = IMAPSessionDriver(fixture.mailbox)
        #expect(try await second.run("a SELECT INBOX").contains("* 0 RECENT"))
        let others = try await second.run("b UID FETCH 1:* (FLAGS)")
        #expect(others.count == Self.count + 1 && !others.contains { $0.contains("\\Recent") })
        #expect(Self.flagsByUID(others) == (try await Self.recordedFlags(fixture.mailbox)))
    }

    @Test("\\Recent in the state-only FETCH under EXAMINE: shown on each, claimed by no one", arguments: IMAPSessionMailboxKind.allCases)
    func recentInStateFetchExamine(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, claimed: false)
        let examiner = IMAPSessionDriver(fixture.mailbox)
        #expect(try await examiner.run("a EXAMINE INBOX").contains("* \(Self.count) RECENT"))
        let lines = try await examiner.run("b UID FETCH 1:* (FLAGS)")
        #expect(lines.last == "b OK FETCH completed")
        #expect(Self.flagsByUID(lines) == (try await Self.recordedFlags(fixture.mailbox, recent: true)))
        #expect(try await fixture.mailbox.status(of: "INBOX").recentCount == Self.count)
        let selector = IMAPSessionDriver(fixture.mailbox)
        #expect(try await selector.run("a SELECT INBOX").contains("* \(Self.count) RECENT"))
    }

    @Test("UID FETCH 1:* (FLAGS) right after SELECT gives every message's recorded flags", arguments: IMAPSessionMailboxKind.allCases)
    func flagsAfterSelect(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let driver = IMAPSessionDriver(fixture.mailbox)
        let select = try await driver.run("a SELECT INBOX")
        #expect(select.contains("* \(Self.count) EXISTS"))
        // RFC 3501: the first unseen message (1 and 2 are unseen, 3 is seen).
        #expect(select.contains("* OK [UNSEEN 1] First unseen"))
        #expect(select.contains("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work)"))
        let lines = try await driver.run("b UID FETCH 1:* (FLAGS)")
        #expect(lines.last == "b OK FETCH completed")
        let fetched = Self.flagsByUID(lines)
        #expect(fetched.count == Self.count)
        #expect(fetched == (try await Self.recordedFlags(fixture.mailbox)))
        #expect(lines.first == "* 1 FETCH (FLAGS () UID 1)")
        #expect(lines.contains("* 15 FETCH (FLAGS (\\Seen $Work) UID 15)"))
        #expect(lines.contains("* 21 FETCH (FLAGS (\\Seen \\Flagged) UID 21)"))
    }

    @Test(
        "Flags changed elsewhere after SELECT (another session, or straight in the mailbox): the state-only FETCH answers the new ones",
        arguments: IMAPSessionMailboxKind.allCases)
    func changesAfterSelect(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let reader = IMAPSessionDriver(fixture.mailbox)
        let other = IMAPSessionDriver(fixture.mailbox)
        _ = try await reader.run("a SELECT INBOX")
        _ = try await other.run("a SELECT INBOX")
        #expect(try await other.run("b UID STORE 10 +FLAGS.SILENT (\\Flagged)").last == "b OK STORE completed")
        _ = try await fixture.mailbox.store(.add(.answered), on: UIDSet([1, 2, 99]), in: "INBOX")
        _ = try await fixture.mailbox.store(.replace([], keywords: ["$Later"]), on: UIDSet([3]), in: "INBOX")
        try await fixture.mailbox.append(IMAPSessionMessages.message(101), to: "INBOX")
        let lines = try await reader.run("b FETCH 1:\(Self.count) (FLAGS)")
        #expect(lines.last == "b OK FETCH completed")
        let fetched = Self.flagsByUID(lines)
        let recorded = try await Self.recordedFlags(fixture.mailbox)
        #expect(fetched.count == Self.count)
        for uid in 1...UInt32(Self.count) { #expect(fetched[uid] == recorded[uid], "UID \(uid)") }
        #expect(fetched[10] == "FLAGS (\\Flagged $Work)")
        #expect(fetched[3] == "FLAGS ($Later)")
        #expect(fetched[99] == "FLAGS (\\Seen \\Answered)")
        // A second state-only FETCH, after yet another change, is as current.
        _ = try await fixture.mailbox.store(.remove(.seen), on: UIDSet([99]), in: "INBOX")
        let again = Self.flagsByUID(try await reader.run("c FETCH 1:\(Self.count) (FLAGS)"))
        #expect(again[99] == "FLAGS (\\Answered)")
    }

    @Test(
        "A message expunged elsewhere after SELECT is left out of FETCH 1:* (FLAGS), which ends OK [EXPUNGEISSUED] (RFC 9051 section 7.1)",
        arguments: IMAPSessionMailboxKind.allCases)
    func expungedAfterSelect(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let driver = IMAPSessionDriver(fixture.mailbox)
        _ = try await driver.run("a SELECT INBOX")
        _ = try await fixture.mailbox.store(.add(.deleted), on: UIDSet([50]), in: "INBOX")
        #expect(try await fixture.mailbox.expunge("INBOX") == [50])
        let lines = try await driver.run("b FETCH 1:* (FLAGS)")
        #expect(lines.last == "b OK [EXPUNGEISSUED] Some messages were expunged")
        let fetched = Self.flagsByUID(lines)
        let recorded = try await Self.recordedFlags(fixture.mailbox)
        // MSN n is UID n here: every other message is answered as the mailbox records it;
        // 50 only (if at all) as the unsolicited report of its \Deleted flag.
        for uid in 1...UInt32(Self.count) where uid != 50 { #expect(fetched[uid] == recorded[uid], "UID \(uid)") }
        #expect(fetched[50] == nil || fetched[50] == "FLAGS (\\Deleted)")
    }

    @Test("CONDSTORE: the state-only FETCH adds MODSEQ, each the mailbox's own (RFC 7162 section 3.1.4.1)", arguments: IMAPSessionMailboxKind.allCases)
    func modSeqs(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let driver = IMAPSessionDriver(fixture.mailbox)
        _ = try await driver.run("a SELECT INBOX (CONDSTORE)")
        _ = try await fixture.mailbox.store(.add(.draft), on: UIDSet([7]), in: "INBOX")
        let lines = try await driver.run("b UID FETCH 1:* (FLAGS)")
        var expected: [UInt32: String] = [:]
        for message in try await fixture.mailbox.changes(in: "INBOX", since: 0).changed {
            expected[message.uid] = "FLAGS (" + (message.flags.imapNames + message.keywords).joined(separator: " ") + ") MODSEQ (\(message.modSeq))"
        }
        #expect(Self.flagsByUID(lines) == expected)
    }

    @Test("Mailbox.snapshot(of:) is the folder's status and changes(since: 0), on the fake and the encrypted file", arguments: IMAPSessionMailboxKind.allCases)
    func snapshotMatchesStatusAndChanges(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        _ = try await fixture.mailbox.store(.add(.deleted), on: UIDSet([4, 5]), in: "INBOX")
        _ = try await fixture.mailbox.expunge("INBOX")
        let snapshot = try await fixture.mailbox.snapshot(of: "inbox")
        let status = try await fixture.mailbox.status(of: "INBOX")
        let changes = try await fixture.mailbox.changes(in: "INBOX", since: 0)
        #expect(snapshot.status == status)
        #expect(snapshot.messages == changes.changed)
        #expect(snapshot.messages.count == Self.count - 2)
        await #expect(throws: MailboxError.self) { try await fixture.mailbox.snapshot(of: "No such folder") }
    }

    @Test("IMAPFolderState.apply: vanished removed, changed replaced, added kept in UID order, MODSEQ raised")
    func folderStateApply() {
        func change(_ uid: UInt32, _ modSeq: UInt64, _ flags: MessageFlags = []) -> MessageChange {
            MessageChange(uid: uid, flags: flags, keywords: [], modSeq: modSeq)
        }
        var state = IMAPFolderState(messages: [change(1, 1), change(2, 2), change(5, 3), change(9, 4)], modSeq: 4)
        #expect(state.message(5) == change(5, 3))
        #expect(state.message(3) == nil)
        #expect(state.message(10) == nil)
        state.apply(testChanges(changed: [change(2, 6, .seen), change(12, 7), change(11, 5)], vanished: [5, 40], highest: 7))
        #expect(state.messages.map(\.uid) == [1, 2, 9, 11, 12])
        #expect(state.message(2) == change(2, 6, .seen))
        #expect(state.modSeq == 7)
        state.apply(testChanges(changed: [], vanished: [], highest: 7))
        #expect(state.messages.map(\.uid) == [1, 2, 9, 11, 12])
    }

    private func testChanges(changed: [MessageChange], vanished: [UInt32], highest: UInt64) -> FolderChanges {
        FolderChanges(changed: changed, vanished: vanished, highestModSeq: highest)
    }

    @Test("Encoder: numbers are written as their decimal digits, 0 and the largest UID and MODSEQ included; encode(into:) appends")
    func encoderNumbers() {
        let encoder = IMAPResponseEncoder()
        let line = encoder.encode(.untagged(.fetch(UInt32.max, [.uid(UInt32.max), .flags([]), .modSeq(UInt64.max), .rfc822Size(0)])))
        #expect(String(decoding: line, as: UTF8.self) == "* 4294967295 FETCH (UID 4294967295 FLAGS () MODSEQ (18446744073709551615) RFC822.SIZE 0)\r\n")
        var bytes = Array("x".utf8)
        encoder.encode(.untagged(.fetch(10, [.uid(100), .flags(["\\Seen", "$Work"])])), into: &bytes)
        encoder.encode(.untagged(.exists(0)), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x* 10 FETCH (UID 100 FLAGS (\\Seen $Work))\r\n* 0 EXISTS\r\n")
    }

    @Test("The connection's writer sends runs of responses byte for byte as one write each would, past its flush threshold too")
    func connectionWriterRuns() async throws {
        // Room for the largest single write (a flush past the threshold with the literal).
        var pipe = InMemoryByteStream.Configuration()
        pipe.capacity = 4 << 20
        let (client, serverEnd) = InMemoryByteStream.makePair(configuration: pipe)
        let writer = IMAPConnectionWriter(stream: serverEnd, writeTimeout: .seconds(60))
        let encoder = IMAPResponseEncoder()
        var responses: [IMAPResponse] = []
        for number in 1...20_000 {
            responses.append(.untagged(.fetch(UInt32(number), [.uid(UInt32(number) * 3), .flags(number % 2 == 0 ? ["\\Seen"] : [])])))
        }
        responses.append(.untagged(.fetch(20_001, [.rfc822(Array(repeating: UInt8(ascii: "a"), count: 300_000))])))
        responses.append(.tagged(tag: "t", IMAPStatusResponse(status: .ok, code: nil, text: "FETCH completed")))
        let expected = responses.flatMap { encoder.encode($0) }
        let reading = Task { () -> [UInt8] in
            var received: [UInt8] = []
            while received.count < expected.count {
                received += try await client.read(maximumCount: 65_536, deadline: .now + .seconds(120))
            }
            return received
        }
        try await writer.write(contentsOf: responses)
        try await writer.flush()
        #expect(try await reading.value == expected)
        #expect(writer.responseCount == responses.count)
        #expect(writer.consecutiveBadReplies == 0)
    }
}
