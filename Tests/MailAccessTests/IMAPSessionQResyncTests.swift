import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// CONDSTORE/QRESYNC resynchronisation (RFC 7162 sections 3.2.5 and 3.2.6): a client that
/// reconnects with `SELECT INBOX (QRESYNC (uidvalidity modseq))` after other sessions changed
/// flags, expunged and appended gets exactly the VANISHED (EARLIER) and FETCH changes the
/// mailbox itself recorded (`changes(in:since:)`). On the fake and the encrypted file.
@Suite("IMAP session: QRESYNC reconnection", .timeLimit(.minutes(2)))
struct IMAPSessionQResyncTests {
    /// `1:3,5` for ascending numbers.
    static func compact(_ values: [UInt32]) -> String {
        var parts: [String] = []
        var index = 0
        while index < values.count {
            var end = index
            while end + 1 < values.count, values[end + 1] == values[end] + 1 { end += 1 }
            parts.append(end == index ? "\(values[index])" : "\(values[index]):\(values[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// The number in `* OK [NAME n] ...` among `lines`.
    static func code(_ name: String, in lines: [String]) -> UInt64? {
        for line in lines where line.hasPrefix("* OK [\(name) ") {
            let rest = line.dropFirst("* OK [\(name) ".count)
            return UInt64(rest.prefix { $0.isNumber })
        }
        return nil
    }

    /// What a first session saw (UIDVALIDITY, HIGHESTMODSEQ) before other sessions changed
    /// flags, expunged and appended in a 40-message INBOX.
    static func changedAfterFirstVisit(_ kind: IMAPSessionMailboxKind) async throws -> (IMAPSessionMailbox, UInt32, UInt64) {
        let fixture = try kind.make()
        for number in 1...40 {
            try await fixture.mailbox.append(
                IMAPSessionMessages.message(number), to: "INBOX", flags: number % 4 == 0 ? [.seen] : [], keywords: [], internalDate: Date())
        }
        let first = IMAPSessionDriver(fixture.mailbox)
        _ = try await first.run("a ENABLE QRESYNC")
        let selected = try await first.run("b SELECT INBOX")
        let validity = try #require(Self.code("UIDVALIDITY", in: selected))
        let modSeq = try #require(Self.code("HIGHESTMODSEQ", in: selected))
        await first.session.close()

        let other = IMAPSessionDriver(fixture.mailbox)
        _ = try await other.run("c SELECT INBOX")
        _ = try await other.run("d STORE 3,5,7 +FLAGS.SILENT (\\Seen)")
        _ = try await other.run("e STORE 10:12,30 +FLAGS.SILENT (\\Deleted)")
        _ = try await other.run("f EXPUNGE")
        _ = try await other.append(IMAPSessionMessages.message(41), flags: "$Important")
        _ = try await other.append(IMAPSessionMessages.message(42), flags: "\\Deleted")
        _ = try await other.run("g UID EXPUNGE 42")
        _ = try await other.run("h UID STORE 8 -FLAGS.SILENT (\\Seen)")
        try await fixture.mailbox.append(IMAPSessionMessages.message(43), to: "INBOX")
        return (fixture, UInt32(validity), modSeq)
    }

    @Test("SELECT (QRESYNC (uidvalidity modseq)): VANISHED (EARLIER) and FETCH equal the mailbox's record of changes since", arguments: IMAPSessionMailboxKind.allCases)
    func reconnect(kind: IMAPSessionMailboxKind) async throws {
        let (fixture, validity, modSeq) = try await Self.changedAfterFirstVisit(kind)
        let record = try await fixture.mailbox.changes(in: "INBOX", since: modSeq)
        let current = try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.map(\.uid)
        #expect(record.vanished == [10, 11, 12, 30, 42])

        let again = IMAPSessionDriver(fixture.mailbox)
        _ = try await again.run("i ENABLE QRESYNC")
        let lines = try await again.run("j SELECT INBOX (QRESYNC (\(validity) \(modSeq)))")
        #expect(Self.code("HIGHESTMODSEQ", in: lines) == record.highestModSeq)
        #expect(lines.filter { $0.hasPrefix("* VANISHED") } == ["* VANISHED (EARLIER) \(Self.compact(record.vanished))"])
        let expectedFetches = record.changed.map { change in
            let number = (current.firstIndex(of: change.uid) ?? -1) + 1
            // 43 was delivered while no session had INBOX selected: this SELECT claims it.
            let flags = (change.flags.imapNames + (change.uid == 43 ? ["\\Recent"] : []) + change.keywords).joined(separator: " ")
            return "* \(number) FETCH (UID \(change.uid) FLAGS (\(flags)) MODSEQ (\(change.modSeq)))"
        }
        #expect(record.changed.map(\.uid) == [3, 5, 7, 8, 41, 43])
        #expect(lines.filter { $0.contains(" FETCH (") } == expectedFetches)
        // VANISHED comes before the FETCH responses, both before the tagged OK.
        let vanishedAt = try #require(lines.firstIndex { $0.hasPrefix("* VANISHED") })
        let firstFetch = try #require(lines.firstIndex { $0.contains(" FETCH (") })
        #expect(vanishedAt < firstFetch)
        #expect(lines.last == "j OK [READ-WRITE] SELECT completed")

        // The same changes through UID FETCH (CHANGEDSINCE ... VANISHED) once selected.
        let fetched = try await again.run("k UID FETCH 1:* (FLAGS) (CHANGEDSINCE \(modSeq) VANISHED)")
        #expect(fetched.first == "* VANISHED (EARLIER) \(Self.compact(record.vanished.filter { $0 <= (current.last ?? 0) }))")
        #expect(fetched.count == record.changed.count + 2)
    }

    @Test("Known UIDs narrow VANISHED; another UIDVALIDITY gets a plain SELECT; no changes, no VANISHED or FETCH", arguments: IMAPSessionMailboxKind.allCases)
    func knownUIDsAndMismatch(kind: IMAPSessionMailboxKind) async throws {
        let (fixture, validity, modSeq) = try await Self.changedAfterFirstVisit(kind)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a ENABLE QRESYNC")
        let narrowed = try await client.run("b SELECT INBOX (QRESYNC (\(validity) \(modSeq) 1:11))")
        #expect(narrowed.filter { $0.hasPrefix("* VANISHED") } == ["* VANISHED (EARLIER) 10:11"])
        let stale = try await client.run("c SELECT INBOX (QRESYNC (\(validity &+ 1) \(modSeq)))")
        #expect(!stale.contains { $0.hasPrefix("* VANISHED") || $0.contains(" FETCH (") })
        #expect(stale.first == "* OK [CLOSED] Previous mailbox closed")
        let highest = try await fixture.mailbox.status(of: "INBOX").highestModSeq
        let unchanged = try await client.run("d SELECT INBOX (QRESYNC (\(validity) \(highest)))")
        #expect(!unchanged.contains { $0.hasPrefix("* VANISHED") || $0.contains(" FETCH (") })
    }
}
