import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Hostile and mistaken input to a session: commands in the wrong state, sequence numbers
/// beyond EXISTS, huge sets, invalid names, a mailbox closed under the session. Each gets a
/// typed BAD or NO and leaves the mailbox exactly as it was. On the fake and the encrypted file.
@Suite("IMAP session: hostile input", .timeLimit(.minutes(2)))
struct IMAPSessionHostileTests {
    static func mailbox(_ kind: IMAPSessionMailboxKind) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make()
        for number in 1...3 { try await fixture.mailbox.append(IMAPSessionMessages.message(number), to: "INBOX") }
        // Seen by an earlier session: not \Recent (IMAPSessionRecentTests covers \Recent).
        _ = try await fixture.mailbox.claimAllRecent(in: "INBOX")
        try await fixture.mailbox.createFolder("Work")
        return fixture
    }

    @Test("Selected-state commands without a selected mailbox are BAD", arguments: IMAPSessionMailboxKind.allCases)
    func wrongState(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let before = try await fixture.snapshot()
        let client = IMAPSessionDriver(fixture.mailbox)
        let lines = [
            "a FETCH 1 FLAGS", "b UID FETCH 1:* FLAGS", "c STORE 1 +FLAGS (\\Deleted)", "d UID STORE 1 FLAGS ()", "e SEARCH ALL",
            "f UID SEARCH ALL", "g COPY 1 Work", "h UID MOVE 1 Work", "i EXPUNGE", "j UID EXPUNGE 1", "k CLOSE", "l UNSELECT",
        ]
        for line in lines {
            let tag = line.prefix { $0 != " " }
            #expect(try await client.run(line) == ["\(tag) BAD no mailbox selected"])
        }
        #expect(try await fixture.snapshot() == before)
    }

    @Test("Sequence numbers beyond EXISTS are BAD and change nothing; UIDs beyond are ignored; * in an empty mailbox names nothing", arguments: IMAPSessionMailboxKind.allCases)
    func outOfRange(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let before = try await fixture.snapshot()
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("s SELECT INBOX")
        #expect(try await client.run("a FETCH 4 FLAGS") == ["a BAD invalid message sequence number"])
        #expect(try await client.run("b STORE 2:5 +FLAGS (\\Deleted)") == ["b BAD invalid message sequence number"])
        #expect(try await client.run("c COPY 1,9 Work") == ["c BAD invalid message sequence number"])
        #expect(try await client.run("d MOVE 4294967295 Work") == ["d BAD invalid message sequence number"])
        #expect(try await client.run("e FETCH 1:4294967295 UID") == ["e BAD invalid message sequence number"])
        #expect(try await client.run("f0 UID STORE 4:4294967295 +FLAGS (\\Deleted)") == ["f0 OK STORE completed"])
        // `4:*` is `3:4` when 3 is the largest UID (RFC 9051 section 9, seq-range).
        #expect(try await client.run("f UID STORE 4:* +FLAGS (\\Deleted)") == ["* 3 FETCH (UID 3 FLAGS (\\Deleted))", "f OK STORE completed"])
        _ = try await client.run("g UID STORE 3 -FLAGS.SILENT (\\Deleted)")
        #expect(try await client.run("h UID FETCH 99:100 UID") == ["h OK FETCH completed"])
        #expect(try await client.run("i UID COPY 99 Work") == ["i OK COPY completed: no messages"])
        _ = try await client.run("j EXAMINE Work")
        #expect(try await client.run("k FETCH 1:* UID") == ["k OK FETCH completed"])
        #expect(try await client.run("l FETCH 1 UID") == ["l BAD invalid message sequence number"])
        let after = try await fixture.snapshot()
        // Only the MODSEQ of message 3 moved (its \Deleted was set and cleared through UIDs).
        #expect(after.count == before.count)
        #expect(try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.map(\.flags) == [[], [], []])
    }

    @Test("Huge sets: 3,000 ranges and 1:4294967295 by UID are answered without expanding them", arguments: IMAPSessionMailboxKind.allCases)
    func hugeSets(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("s SELECT INBOX")
        let ranges = (0..<3_000).map { "\($0 * 400_000 + 1):\($0 * 400_000 + 2)" }.joined(separator: ",")
        #expect(try await client.run("a UID FETCH \(ranges) UID") == ["* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "a OK FETCH completed"])
        #expect(try await client.run("b UID FETCH 4294967295:1 UID") == ["* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)", "b OK FETCH completed"])
        #expect(try await client.run("c UID SEARCH UID 1:4294967295") == ["* SEARCH 1 2 3", "c OK SEARCH completed"])
        #expect(try await client.run("d FETCH \(ranges) UID") == ["d BAD invalid message sequence number"])
    }

    @Test("Invalid or impossible names: NO with a code, nothing created or renamed", arguments: IMAPSessionMailboxKind.allCases)
    func invalidNames(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let before = try await fixture.snapshot()
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a CREATE \"a//b\"") == ["a NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("b CREATE \"../up\"") == ["b NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("c CREATE \"/\"") == ["c NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("d SELECT \"\"") == ["d NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("e RENAME Work Work/Inner") == ["e NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("f RENAME INBOX INBOX") == ["f NO [ALREADYEXISTS] mailbox already exists"])
        #expect(try await client.run("g DELETE \"\"") == ["g NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("h APPEND \"a//b\" {1}\r\nx") == ["h NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("i STATUS \"..\" (MESSAGES)") == ["i NO [CANNOT] invalid mailbox name"])
        _ = try await client.run("s SELECT INBOX")
        #expect(try await client.run("j COPY 1 \"\"") == ["j NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("k STORE 1 +FLAGS (\\Frobbed)") == ["k BAD unknown system flag"])
        #expect(try await fixture.snapshot() == before)
    }

    @Test("A mailbox closed under the session: NO [UNAVAILABLE], no crash", arguments: IMAPSessionMailboxKind.allCases)
    func closedMailbox(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("s SELECT INBOX")
        await fixture.mailbox.close()
        #expect(try await client.run("a FETCH 1 FLAGS") == ["a NO [UNAVAILABLE] mailbox temporarily unavailable"])
        #expect(try await client.run("b SELECT INBOX") == ["b NO [UNAVAILABLE] mailbox temporarily unavailable"])
        #expect(try await client.run("c LIST \"\" *") == ["c NO [UNAVAILABLE] mailbox temporarily unavailable"])
        // Nothing can arrive from a closed mailbox: a wait ends only when cancelled (IDLE's DONE).
        let waiting = Task { await client.session.waitForUpdates() }
        waiting.cancel()
        await waiting.value
        await client.session.close()
        #expect(try await client.pendingUpdates() == [])
    }
}
