import CommunityMailMessage
import EncryptedMailbox
import Foundation
import Testing

/// The rules every `Mailbox` keeps, run on the SQLite mailbox and on the in-memory fake.
@Suite("Mailbox rules, on SQLite and on the fake")
struct MailboxSharedSuite {
    @Test("A new mailbox has INBOX first and one folder per special use", arguments: MailboxFactory.all)
    func defaultFolders(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let folders = try await mailbox.folders()
        #expect(folders.map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
        #expect(folders.first?.specialUse == .inbox)
        #expect(Set(folders.compactMap(\.specialUse)) == Set(SpecialUse.allCases))
        #expect(folders.allSatisfy { $0.isSubscribed && $0.uidNext == 1 && $0.messageCount == 0 && $0.uidValidity > 0 })
        #expect(Set(folders.map(\.uidValidity)).count == folders.count)
    }

    @Test("Folders are created, renamed with their children, subscribed and deleted", arguments: MailboxFactory.all)
    func folderLifecycle(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let work = try await mailbox.createFolder("Work")
        try await mailbox.createFolder("Work/Projects")
        try await mailbox.append(Samples.message(), to: "Work/Projects")
        await #expect(throws: MailboxError.folderExists) { try await mailbox.createFolder("Work") }
        await #expect(throws: MailboxError.specialUseTaken) { try await mailbox.createFolder("Sent2", specialUse: .sent) }
        for bad in ["", "/a", "a/", "a//b", "a/../b", "a\u{1}b", "a*"] {
            await #expect(throws: MailboxError.invalidFolderName) { try await mailbox.createFolder(bad) }
        }
        try await mailbox.renameFolder("Work", to: "Jobs")
        let names = try await mailbox.folders().map(\.name)
        #expect(names.contains("Jobs") && names.contains("Jobs/Projects") && !names.contains("Work"))
        #expect(try await mailbox.status(of: "Jobs").uidValidity == work.uidValidity)
        #expect(try await mailbox.status(of: "Jobs/Projects").messageCount == 1)
        await #expect(throws: MailboxError.invalidFolderName) { try await mailbox.renameFolder("Jobs", to: "Jobs/Inner") }
        await #expect(throws: MailboxError.folderExists) { try await mailbox.renameFolder("Jobs", to: "Trash") }
        await #expect(throws: MailboxError.invalidFolderName) { try await mailbox.renameFolder("Jobs", to: "INBOX/Jobs") }
        await #expect(throws: MailboxError.folderNotRemovable) { try await mailbox.deleteFolder("inbox") }
        await #expect(throws: MailboxError.folderNotFound) { try await mailbox.deleteFolder("Nope") }

        try await mailbox.setSubscribed("Jobs", true)
        #expect(try await mailbox.status(of: "Jobs").isSubscribed)
        try await mailbox.setSubscribed("Jobs", false)
        #expect(try await !mailbox.status(of: "Jobs").isSubscribed)

        // INBOX is case-insensitive, its children too.
        try await mailbox.createFolder("inbox/Lists")
        #expect(try await mailbox.status(of: "INBOX/Lists").name == "INBOX/Lists")

        // A folder deleted and made again gets a new UIDVALIDITY.
        let before = try await mailbox.status(of: "Jobs/Projects").uidValidity
        try await mailbox.deleteFolder("Jobs/Projects")
        let again = try await mailbox.createFolder("Jobs/Projects")
        #expect(again.uidValidity != before)
        #expect(again.messageCount == 0 && again.uidNext == 1)
        #expect(try await mailbox.usage().messages == 0)
    }

    @Test("LIST patterns: * crosses levels, % does not, INBOX in any case", arguments: MailboxFactory.all)
    func listPatterns(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for name in ["Work", "Work/Projects", "Work/Projects/2026", "Workshop", "INBOX/Lists"] { try await mailbox.createFolder(name) }
        func names(_ pattern: String, _ reference: String = "") async throws -> [String] {
            try await mailbox.folders(matching: pattern, reference: reference).map(\.name)
        }
        #expect(try await names("*").count == 11)
        #expect(try await names("%") == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash", "Work", "Workshop"])
        #expect(try await names("Work/%") == ["Work/Projects"])
        #expect(try await names("Work/*") == ["Work/Projects", "Work/Projects/2026"])
        #expect(try await names("Work*") == ["Work", "Work/Projects", "Work/Projects/2026", "Workshop"])
        #expect(try await names("Work%") == ["Work", "Workshop"])
        #expect(try await names("%/%", "Work/") == ["Work/Projects/2026"])
        #expect(try await names("inbox") == ["INBOX"])
        #expect(try await names("InBoX/%") == ["INBOX/Lists"])
        #expect(try await names("Nothing*").isEmpty)
        try await mailbox.createFolder("inboxes")
        #expect(try await names("inboxes") == ["inboxes"])
        #expect(try await names("INBOXES").isEmpty)
        // A hostile pattern costs time in proportion to its length, not exponentially.
        #expect(try await names(String(repeating: "*%", count: 200) + "x").isEmpty)
        #expect(try await names("*%*%*%").count == 12)
    }

    @Test("Renaming INBOX moves its messages to a new folder and leaves INBOX empty (RFC 3501)", arguments: MailboxFactory.all)
    func renameInbox(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let messages = (0..<3).map { Samples.message(subject: "inbox \($0)") }
        for message in messages { try await mailbox.append(message, to: "INBOX", flags: [.seen], keywords: [], internalDate: Samples.date(5)) }
        try await mailbox.createFolder("INBOX/Child")
        let inbox = try await mailbox.status(of: "INBOX")
        await #expect(throws: MailboxError.folderExists) { try await mailbox.renameFolder("INBOX", to: "Trash") }
        try await mailbox.renameFolder("inbox", to: "Old Inbox")
        let old = try await mailbox.fetch(.all, in: "Old Inbox", content: .whole)
        #expect(old.map(\.content) == messages.map { Optional($0) } && old.allSatisfy { $0.flags == [.seen] })
        let after = try await mailbox.status(of: "INBOX")
        #expect(after.messageCount == 0 && after.uidValidity == inbox.uidValidity && after.uidNext == inbox.uidNext)
        #expect(try await mailbox.changes(in: "INBOX", since: inbox.highestModSeq).vanished == [1, 2, 3])
        #expect(try await mailbox.folders().map(\.name).contains("INBOX/Child"))
    }

    @Test("Appends get increasing UIDs and MODSEQs, and fetch returns the exact bytes", arguments: MailboxFactory.all)
    func appendAndFetch(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let start = try await mailbox.status(of: "INBOX")
        var results: [AppendedMessage] = []
        var messages: [[UInt8]] = []
        for index in 0..<5 {
            let message = Samples.message(subject: "Message \(index)", messageID: "m\(index)@example.org")
            messages.append(message)
            results.append(
                try await mailbox.append(
                    message, to: "INBOX", flags: index == 0 ? [.seen] : [], keywords: index == 1 ? ["$Important"] : [],
                    internalDate: Samples.date(1_700_000_000 + index)))
        }
        #expect(results.map(\.uid) == [1, 2, 3, 4, 5])
        #expect(results.allSatisfy { $0.uidValidity == start.uidValidity })
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.modSeq < $1.modSeq })
        #expect(results[0].modSeq > start.highestModSeq)
        let status = try await mailbox.status(of: "INBOX")
        #expect(status.uidNext == 6 && status.messageCount == 5 && status.unseenCount == 4)
        #expect(status.highestModSeq == results.last?.modSeq)

        let whole = try await mailbox.fetch(.all, in: "INBOX", content: .whole)
        #expect(whole.map(\.content) == messages.map { Optional($0) })
        #expect(whole.map(\.size) == messages.map { MailboxSizeTests.wireForm($0).count })
        #expect(whole[0].flags == [.seen] && whole[1].keywords == ["$Important"])
        #expect(whole[2].internalDate == Samples.date(1_700_000_002))
        #expect(whole[3].envelope.subject == "Message 3" && whole[3].envelope.messageID == "m3@example.org")

        let headers = try await mailbox.fetch(try UIDSet(parsing: "2:3"), in: "INBOX", content: .header)
        #expect(headers.map(\.uid) == [2, 3])
        let header = try #require(headers[0].content)
        #expect(String(decoding: header, as: UTF8.self).hasSuffix("Message-ID: <m1@example.org>\r\n\r\n"))
        let text = try await mailbox.fetch(UIDSet([2]), in: "INBOX", content: .text)
        #expect(text.first?.content.map { header + $0 } == messages[1])
        let metadata = try await mailbox.fetch(try UIDSet(parsing: "5:*,1"), in: "INBOX", content: .metadata)
        #expect(metadata.map(\.uid) == [1, 5] && metadata.allSatisfy { $0.content == nil })
        // "n:*" with n past the end still names the last message (RFC 3501).
        #expect(try await mailbox.fetch(try UIDSet(parsing: "99:*"), in: "INBOX", content: .metadata).map(\.uid) == [5])
        await #expect(throws: MailboxError.folderNotFound) { try await mailbox.fetch(.all, in: "Nope", content: .whole) }
        await #expect(throws: MailboxError.invalidKeyword) {
            try await mailbox.append(messages[0], to: "INBOX", flags: [], keywords: ["two words"], internalDate: Date())
        }
    }

    @Test("MULTIAPPEND stores all messages or none (RFC 3502)", arguments: MailboxFactory.all)
    func multiappend(factory: MailboxFactory) async throws {
        let message = Samples.message(body: String(repeating: "y", count: 300) + "\n")
        let madeMailbox = try factory(quota: MailboxQuota(maxMessages: 5))
        defer { withExtendedLifetime(madeMailbox) {} }
        let mailbox = madeMailbox.mailbox
        try await mailbox.append(message, to: "INBOX")
        let batch = (0..<3).map { MessageToAppend(message, flags: [.flagged], keywords: ["k\($0)"], internalDate: Samples.date(100 + $0)) }
        let appended = try await mailbox.append(contentsOf: batch, to: "INBOX")
        #expect(appended.map(\.uid) == [2, 3, 4] && zip(appended, appended.dropFirst()).allSatisfy { $0.modSeq < $1.modSeq })
        let fetched = try await mailbox.fetch(UIDSet([2, 3, 4]), in: "INBOX", content: .whole)
        #expect(fetched.map(\.keywords) == [["k0"], ["k1"], ["k2"]] && fetched.allSatisfy { $0.flags == [.flagged] && $0.content == message })
        #expect(fetched.map(\.internalDate) == [Samples.date(100), Samples.date(101), Samples.date(102)])

        let before = try await mailbox.status(of: "INBOX")
        await #expect(throws: MailboxError.quotaExceeded) { try await mailbox.append(contentsOf: batch, to: "INBOX") }
        await #expect(throws: MailboxError.invalidKeyword) {
            try await mailbox.append(contentsOf: [MessageToAppend(message), MessageToAppend(message, keywords: ["bad word"])], to: "INBOX")
        }
        #expect(try await mailbox.status(of: "INBOX") == before)
        #expect(try await mailbox.append(contentsOf: [], to: "INBOX").isEmpty)
        await #expect(throws: MailboxError.folderNotFound) { try await mailbox.append(contentsOf: batch, to: "Nope") }
    }

    @Test("Expunge removes only \\Deleted messages and UIDs are never reused", arguments: MailboxFactory.all)
    func expungeNeverReusesUIDs(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for index in 0..<4 { try await mailbox.append(Samples.message(subject: "\(index)"), to: "INBOX") }
        _ = try await mailbox.store(.add([.deleted]), on: UIDSet([2, 3, 4]), in: "INBOX")
        #expect(try await mailbox.expunge("INBOX", uids: UIDSet([3])) == [3])
        #expect(try await mailbox.expunge("INBOX") == [2, 4])
        #expect(try await mailbox.expunge("INBOX").isEmpty)
        let next = try await mailbox.append(Samples.message(), to: "INBOX")
        #expect(next.uid == 5)
        #expect(try await mailbox.fetch(.all, in: "INBOX", content: .metadata).map(\.uid) == [1, 5])
        #expect(try await mailbox.usage().messages == 2)
        await mailbox.close()
        await #expect(throws: MailboxError.closed) { try await mailbox.append(Samples.message(), to: "INBOX") }
        await #expect(throws: MailboxError.closed) { try await mailbox.folders() }
    }

    @Test("Flags and keywords change with new MODSEQs; UNCHANGEDSINCE reports modified ones", arguments: MailboxFactory.all)
    func storeFlags(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for _ in 0..<3 { try await mailbox.append(Samples.message(), to: "INBOX") }
        let before = try await mailbox.status(of: "INBOX").highestModSeq
        let added = try await mailbox.store(.add([.seen, .flagged], keywords: ["Work"]), on: .all, in: "INBOX")
        #expect(added.changed.map(\.uid) == [1, 2, 3] && added.modified.isEmpty)
        #expect(added.changed.allSatisfy { $0.modSeq > before && $0.flags == [.seen, .flagged] && $0.keywords == ["Work"] })
        let afterAdd = try await mailbox.status(of: "INBOX")
        #expect(afterAdd.highestModSeq == added.changed[0].modSeq && afterAdd.unseenCount == 0)

        // Asking for the state a message already has changes nothing.
        #expect(try await mailbox.store(.add([.seen]), on: .all, in: "INBOX").changed.isEmpty)
        #expect(try await mailbox.status(of: "INBOX").highestModSeq == afterAdd.highestModSeq)

        let removed = try await mailbox.store(.remove([.seen], keywords: ["Work"]), on: UIDSet([2]), in: "INBOX")
        #expect(removed.changed.map(\.flags) == [[.flagged]] && removed.changed[0].keywords.isEmpty)
        let replaced = try await mailbox.store(.replace([.answered], keywords: ["b", "a"]), on: UIDSet([3]), in: "INBOX")
        #expect(replaced.changed[0].flags == [.answered] && replaced.changed[0].keywords == ["a", "b"])

        // UNCHANGEDSINCE below message 2's and 3's MODSEQs: only message 1 changes.
        let conditional = try await mailbox.store(.add([.draft]), on: .all, in: "INBOX", unchangedSince: afterAdd.highestModSeq)
        #expect(conditional.changed.map(\.uid) == [1] && conditional.modified == [2, 3])

        let search = try await mailbox.search(.keyword("a"), in: "INBOX")
        #expect(search == [3])
        // Keywords are case-insensitive: one spelling is kept, any spelling finds and removes it.
        let cased = try await mailbox.store(.add([], keywords: ["B", "Junk", "junk"]), on: UIDSet([3]), in: "INBOX")
        #expect(cased.changed.first?.keywords == ["a", "b", "Junk"])
        #expect(try await mailbox.search(.keyword("JUNK"), in: "INBOX") == [3])
        let uncased = try await mailbox.store(.remove([], keywords: ["JUNK", "A"]), on: UIDSet([3]), in: "INBOX")
        #expect(uncased.changed.first?.keywords == ["b"])
        #expect(try await mailbox.search(.flags([.flagged]), in: "INBOX") == [1, 2])
        #expect(try await mailbox.search(.not(.flags([.seen])), in: "INBOX") == [2, 3])
    }

    @Test("Changes since a MODSEQ list changed messages and vanished UIDs", arguments: MailboxFactory.all)
    func changesSince(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for _ in 0..<4 { try await mailbox.append(Samples.message(), to: "INBOX") }
        let checkpoint = try await mailbox.status(of: "INBOX").highestModSeq
        #expect(try await mailbox.changes(in: "INBOX", since: checkpoint).changed.isEmpty)
        _ = try await mailbox.store(.add([.deleted]), on: UIDSet([1]), in: "INBOX")
        _ = try await mailbox.store(.add([.seen]), on: UIDSet([3]), in: "INBOX")
        _ = try await mailbox.expunge("INBOX")
        try await mailbox.append(Samples.message(), to: "INBOX")
        try await mailbox.createFolder("Other")
        _ = try await mailbox.move(UIDSet([2]), from: "INBOX", to: "Other")
        let changes = try await mailbox.changes(in: "INBOX", since: checkpoint)
        #expect(changes.changed.map(\.uid) == [3, 5])
        #expect(changes.vanished == [1, 2])
        #expect(changes.highestModSeq == (try await mailbox.status(of: "INBOX").highestModSeq))
        #expect(changes.changed.allSatisfy { $0.modSeq > checkpoint && $0.modSeq <= changes.highestModSeq })
        let everything = try await mailbox.changes(in: "INBOX", since: 0)
        #expect(everything.changed.map(\.uid) == [3, 4, 5])
    }

    @Test("Copy and move give new UIDs in the destination and keep flags (RFC 4315, RFC 6851)", arguments: MailboxFactory.all)
    func copyAndMove(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let messages = (0..<3).map { Samples.message(subject: "Copy \($0)") }
        for message in messages { try await mailbox.append(message, to: "INBOX", flags: [.seen], keywords: ["k"], internalDate: Samples.date(1_000)) }
        let archive = try await mailbox.status(of: "Archive")
        let copied = try await mailbox.copy(UIDSet([1, 3]), from: "INBOX", to: "Archive")
        #expect(copied.sourceUIDs == [1, 3] && copied.destinationUIDs == [1, 2] && copied.destinationUIDValidity == archive.uidValidity)
        let inArchive = try await mailbox.fetch(.all, in: "Archive", content: .whole)
        #expect(inArchive.map(\.content) == [messages[0], messages[2]])
        #expect(inArchive.allSatisfy { $0.flags == [.seen] && $0.keywords == ["k"] && $0.internalDate == Samples.date(1_000) })
        #expect(try await mailbox.usage().messages == 5)

        let moved = try await mailbox.move(UIDSet([2, 3]), from: "INBOX", to: "Archive")
        #expect(moved.sourceUIDs == [2, 3] && moved.destinationUIDs == [3, 4])
        #expect(try await mailbox.fetch(.all, in: "INBOX", content: .metadata).map(\.uid) == [1])
        #expect(try await mailbox.fetch(UIDSet([3]), in: "Archive", content: .whole).first?.content == messages[1])
        #expect(try await mailbox.usage().messages == 5)

        // Expunging a copy leaves the other copy whole.
        _ = try await mailbox.store(.add([.deleted]), on: UIDSet([1]), in: "Archive")
        _ = try await mailbox.expunge("Archive")
        #expect(try await mailbox.fetch(UIDSet([1]), in: "INBOX", content: .whole).first?.content == messages[0])
        let empty = try await mailbox.copy(UIDSet([42]), from: "INBOX", to: "Archive")
        #expect(empty.sourceUIDs.isEmpty)
    }

    @Test("Quota: append and copy fail with quotaExceeded; move still works", arguments: MailboxFactory.all)
    func quota(factory: MailboxFactory) async throws {
        let message = Samples.message(body: String(repeating: "x", count: 400) + "\n")
        // Sizes count in RFC 5322 form: the body's bare LF is two octets.
        let size = MailboxSizeTests.wireForm(message).count
        let madeMailbox = try factory(quota: MailboxQuota(maxBytes: size * 3, maxMessages: 4))
        defer { withExtendedLifetime(madeMailbox) {} }
        let mailbox = madeMailbox.mailbox
        for _ in 0..<3 { try await mailbox.append(message, to: "INBOX") }
        await #expect(throws: MailboxError.quotaExceeded) { try await mailbox.append(message, to: "INBOX") }
        await #expect(throws: MailboxError.quotaExceeded) { try await mailbox.copy(UIDSet([1]), from: "INBOX", to: "Trash") }
        _ = try await mailbox.move(UIDSet([1]), from: "INBOX", to: "Trash")
        let usage = try await mailbox.usage()
        #expect(usage.bytes == size * 3 && usage.messages == 3 && usage.quota.maxMessages == 4)
        _ = try await mailbox.store(.add([.deleted]), on: .all, in: "Trash")
        _ = try await mailbox.expunge("Trash")
        try await mailbox.append(message, to: "INBOX")

        let madeLimited = try factory(quota: MailboxQuota(maxMessageBytes: message.count))
        defer { withExtendedLifetime(madeLimited) {} }
        let limited = madeLimited.mailbox
        try await limited.append(message, to: "INBOX")
        await #expect(throws: MailboxError.messageTooLarge) { try await limited.append(message + [0x0a], to: "INBOX") }
        await #expect(throws: MailboxError.messageTooLarge) {
            try await limited.append(contentsOf: [MessageToAppend(message), MessageToAppend(message + [0x0a])], to: "INBOX")
        }
        #expect(try await limited.usage().messages == 1)

        let madeCounted = try factory(quota: MailboxQuota(maxMessages: 2))
        defer { withExtendedLifetime(madeCounted) {} }
        let counted = madeCounted.mailbox
        try await counted.append(Samples.message(), to: "INBOX")
        try await counted.append(Samples.message(), to: "INBOX")
        await #expect(throws: MailboxError.quotaExceeded) { try await counted.append(Samples.message(), to: "Sent") }
        #expect(try await counted.status(of: "Sent").uidNext == 1)
    }

    @Test("The index decodes encoded words, folded headers and charsets, and flags attachments", arguments: MailboxFactory.all)
    func headerIndex(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let encoded = Array(
            """
            From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.org>\r
            To: =?utf-8?B?0JDQu9C10LrRgdC10Lk=?= <alexei@example.org>,\r
             "Bob" <bob@example.org>\r
            Cc: =?koi8-r?B?8NLJ18XU?= <privet@example.org>\r
            Subject: =?utf-8?q?Caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?= and\r
            \tmore\r
            Date: Mon, 2 Nov 2026 08:00:00 -0500 (EST)\r
            Message-ID: <enc@example.org>\r
            In-Reply-To: <parent@example.org>\r
            References: <root@example.org>\r
             <parent@example.org>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            preamble\r
            --b1\r
            Content-Type: text/plain; charset=iso-8859-1\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Voil=E0 le rapport budg=E9taire.\r
            --b1\r
            Content-Type: application/pdf; name="report.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQK\r
            --b1--\r

            """.utf8)
        try await mailbox.append(encoded, to: "INBOX")
        let envelope = try #require(try await mailbox.fetch(.all, in: "INBOX", content: .metadata).first?.envelope)
        #expect(envelope.from == "André Pirard <pirard@example.org>")
        #expect(envelope.to == "Алексей <alexei@example.org>, \"Bob\" <bob@example.org>")
        #expect(envelope.cc == "Привет <privet@example.org>")
        #expect(envelope.subject == "Café crème and\tmore")
        #expect(envelope.date == Date(timeIntervalSince1970: 1_793_624_400))
        #expect(envelope.messageID == "enc@example.org")
        #expect(envelope.inReplyTo == ["parent@example.org"])
        #expect(envelope.references == ["root@example.org", "parent@example.org"])
        #expect(envelope.hasAttachment)
        #expect(try await mailbox.search(.body("budgétaire voilà"), in: "INBOX") == [1])
        #expect(try await mailbox.search(.header(.to, "алексей"), in: "INBOX") == [1])
        #expect(try await mailbox.search(.hasAttachment, in: "INBOX") == [1])
    }

    @Test("Broken and binary messages are stored whole and byte-exact", arguments: MailboxFactory.all)
    func brokenMessages(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        var random = SystemRandomNumberGenerator()
        let binary = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        let broken: [[UInt8]] = [
            [],
            binary,
            Array("no header at all, just text".utf8),
            Array("Subject: =?bogus?X?abc?= =?utf-8?B?!!!?=\n: empty name\nDate: yesterday\nContent-Type: multipart/mixed; boundary=\n\nbody".utf8),
            Array("Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nunterminated part".utf8),
            Array("Subject: \u{FF}".utf8) + [0xff, 0xfe, 0x0a, 0x0a] + Array("latin \u{e9}".utf8) + [0xe9],
        ]
        for message in broken { try await mailbox.append(message, to: "INBOX") }
        // Absurd internal dates are clamped, not trusted and not fatal.
        let infinite = try await mailbox.append(broken[2], to: "Trash", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: .infinity))
        let far = try await mailbox.append(broken[2], to: "Trash", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1e300))
        let dates = try await mailbox.fetch(UIDSet([infinite.uid, far.uid]), in: "Trash", content: .metadata).map(\.internalDate)
        #expect(dates == [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 253_402_300_799)])
        let fetched = try await mailbox.fetch(.all, in: "INBOX", content: .whole)
        #expect(fetched.map(\.content) == broken.map { Optional($0) })
        // Sizes in RFC 5322 form: a bare LF counts as CRLF.
        #expect(fetched.map(\.size) == broken.map { MailboxSizeTests.wireForm($0).count })
        #expect(fetched[3].envelope.date == nil)
        // Without a blank line the whole message is header and the body is empty.
        let parts = try await mailbox.fetch(UIDSet([3]), in: "INBOX", content: .header) + mailbox.fetch(UIDSet([3]), in: "INBOX", content: .text)
        #expect(parts.map(\.content) == [broken[2], []])
        #expect(try await mailbox.fetch(UIDSet([1]), in: "INBOX", content: .text).first?.content == [])
        #expect(try await mailbox.search(.body("unterminated"), in: "INBOX") == [5])
    }

    @Test("Search combines header, body, date, flag and size criteria", arguments: MailboxFactory.all)
    func search(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        try await mailbox.append(
            Samples.message(subject: "Quarterly report", from: "Alice <alice@example.org>", body: "The budget is attached.\n"),
            to: "INBOX", flags: [.seen], keywords: [], internalDate: Samples.date(1_767_225_600))  // 2026-01-01
        try await mailbox.append(
            Samples.message(subject: "Lunch?", from: "Bob <bob@example.org>", date: "1 Feb 2026 12:00 +0000", body: "Pizza or ramen\n"),
            to: "INBOX", flags: [], keywords: [], internalDate: Samples.date(1_769_904_000))  // 2026-02-01
        try await mailbox.append(
            Samples.message(subject: "Re: Quarterly report", from: "Carol <carol@example.net>", body: String(repeating: "budget numbers ", count: 200)),
            to: "INBOX", flags: [.flagged], keywords: [], internalDate: Samples.date(1_772_323_200))  // 2026-03-01

        func uids(_ text: String) async throws -> [UInt32] { try await mailbox.search(try SearchQuery(parsing: text), in: "INBOX") }
        #expect(try await uids("from:alice") == [1])
        #expect(try await uids("subject:QUARTERLY") == [1, 3])
        #expect(try await uids("body:budget") == [1, 3])
        #expect(try await uids("body:\"numbers budget\"") == [3])
        #expect(try await uids("body:budg") == [])
        #expect(try await uids("report -is:seen") == [3])
        #expect(try await uids("from:bob OR is:flagged") == [2, 3])
        #expect(try await uids("(from:bob OR from:carol) larger:1000") == [3])
        #expect(try await uids("smaller:1000 NOT from:alice") == [2])
        #expect(try await uids("since:2026-02-01 before:2026-03-01") == [2])
        #expect(try await uids("sentbefore:2026-01-01") == [])
        #expect(try await uids("sentbefore:2026-03-01") == [2])
        #expect(try await uids("sentsince:2026-03-01") == [1, 3])
        #expect(try await uids("uid:2:*") == [2, 3])
        #expect(try await uids("is:unseen") == [2, 3])
        #expect(try await uids("ramen") == [2])
        #expect(try await uids("example.net") == [3])
        #expect(try await mailbox.search(.and([]), in: "INBOX") == [1, 2, 3])
        #expect(try await mailbox.search(.or([]), in: "INBOX") == [])
        #expect(try await mailbox.search(.modSeqAtLeast(try await mailbox.status(of: "INBOX").highestModSeq), in: "INBOX") == [3])
        #expect(try await mailbox.search(.header(.messageID, "nothing"), in: "INBOX") == [])
        // Any header field, by name (IMAP SEARCH HEADER).
        try await mailbox.append(
            Samples.message(subject: "list mail", extraHeaders: "List-Id: Ubuntu developers <ubuntu-devel.lists.ubuntu.com>\r\nX-Spam-Flag: NO\r\nX-Note: =?utf-8?q?caf=C3=A9?=\r\n"),
            to: "INBOX")
        #expect(try await uids("header:list-id:UBUNTU-DEVEL") == [4])
        #expect(try await uids("header:X-Spam-Flag:") == [4])
        #expect(try await uids("header:x-note:café") == [4])
        #expect(try await uids("header:X-Spam-Flag:yes") == [])
        #expect(try await uids("header:subject:report") == [1, 3])
        #expect(try await mailbox.search(.headerField("date", "2026"), in: "INBOX") == [1, 2, 3, 4])
        #expect(try await mailbox.search(.not(.headerField("list-id", "")), in: "INBOX") == [1, 2, 3])
        #expect(try await mailbox.search(.header(.cc, ""), in: "INBOX") == [1, 2, 3, 4])
        // Quotes and FTS5 operators in the words cannot break the query.
        #expect(try await mailbox.search(.body("\"budget\" OR NEAR( *"), in: "INBOX") == [])
    }

    @Test("SORT orders by base subject, sender, dates and size, with REVERSE and UID ties (RFC 5256)", arguments: MailboxFactory.all)
    func sort(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let rows: [(subject: String, from: String, date: String, body: Int, arrival: Int)] = [
            ("Re: [ubuntu-devel] Fwd: Kernel", "Zed <zed@example.org>", "2 Jan 2026 10:00 +0000", 10, 500),
            ("apple", "bob@example.org", "1 Jan 2026 10:00 +0000", 300, 400),
            ("kernel (fwd)", "\"Carol, C.\" <Carol@example.org>", "broken date", 50, 300),
            ("RE: re: Apple", "alice@example.org", "3 Jan 2026 10:00 +0000", 200, 100),
        ]
        for row in rows {
            try await mailbox.append(
                Samples.message(subject: row.subject, from: row.from, date: row.date, body: String(repeating: "z", count: row.body)),
                to: "INBOX", flags: [], keywords: [], internalDate: Samples.date(row.arrival))
        }
        #expect(try await mailbox.sort([SortKey(.subject)], in: "INBOX") == [2, 4, 1, 3])
        #expect(try await mailbox.sort([SortKey(.subject, reverse: true)], in: "INBOX") == [1, 3, 2, 4])
        #expect(try await mailbox.sort([SortKey(.from)], in: "INBOX") == [4, 2, 3, 1])
        #expect(try await mailbox.sort([SortKey(.arrival)], in: "INBOX") == [4, 3, 2, 1])
        // Message 3 has no usable Date, so its internal date (300) stands in.
        #expect(try await mailbox.sort([SortKey(.date)], in: "INBOX") == [3, 2, 1, 4])
        #expect(try await mailbox.sort([SortKey(.size, reverse: true)], in: "INBOX") == [2, 4, 3, 1])
        #expect(try await mailbox.sort([SortKey(.to), SortKey(.subject)], in: "INBOX") == [2, 4, 1, 3])
        #expect(try await mailbox.sort([SortKey(.subject)], matching: .not(.header(.subject, "apple")), in: "INBOX") == [1, 3])
    }

    @Test("Threads join messages by Message-ID, In-Reply-To and References", arguments: MailboxFactory.all)
    func threads(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        try await mailbox.append(Samples.message(messageID: "a@x"), to: "INBOX")
        try await mailbox.append(Samples.message(messageID: "b@x"), to: "INBOX")
        try await mailbox.append(Samples.message(messageID: "c@x", inReplyTo: "a@x"), to: "INBOX")
        try await mailbox.append(Samples.message(messageID: "d@x", references: "<a@x> <c@x>"), to: "INBOX")
        try await mailbox.append(Samples.message(), to: "INBOX")
        try await mailbox.append(Samples.message(messageID: "f@x", inReplyTo: "missing@x"), to: "INBOX")
        try await mailbox.append(Samples.message(messageID: "g@x", references: "<missing@x>"), to: "INBOX")
        #expect(try await mailbox.threads(in: "INBOX") == [[1, 3, 4], [2], [5], [6, 7]])
    }

    @Test("Thread trees link replies, keep gaps for missing parents and sort by date (RFC 5256)", arguments: MailboxFactory.all)
    func threadTrees(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let messages: [(id: String?, inReplyTo: String?, references: String?, date: String)] = [
            ("a@x", nil, nil, "1 Jan 2026 10:00 +0000"),
            ("b@x", nil, "<a@x>", "2 Jan 2026 10:00 +0000"),
            ("c@x", nil, "<a@x> <b@x>", "3 Jan 2026 10:00 +0000"),
            ("d@x", "missing@x", nil, "4 Jan 2026 10:00 +0000"),
            ("e@x", nil, "<missing@x>", "5 Jan 2026 10:00 +0000"),
            ("f@x", nil, "<gone1@x> <gone2@x>", "6 Jan 2026 10:00 +0000"),
            (nil, nil, nil, "31 Dec 2025 10:00 +0000"),
            ("g@x", "a@x", nil, "2 Jan 2026 12:00 +0000"),
            ("h@x", nil, "<h@x>", "7 Jan 2026 10:00 +0000"),
        ]
        for message in messages {
            try await mailbox.append(
                Samples.message(messageID: message.id, inReplyTo: message.inReplyTo, references: message.references, date: message.date),
                to: "INBOX")
        }
        typealias Node = MessageThreadNode
        #expect(try await mailbox.threadTree(in: "INBOX") == [
            Node(uid: 7),
            Node(uid: 1, children: [Node(uid: 2, children: [Node(uid: 3)]), Node(uid: 8)]),
            Node(uid: nil, children: [Node(uid: 4), Node(uid: 5)]),
            Node(uid: 6),
            Node(uid: 9),
        ])
    }

    @Test("Events report each saved change in order, nothing for failures, and end on close", arguments: MailboxFactory.all)
    func events(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let stream = await mailbox.events()
        let collector = Task { () -> [MailboxEvent] in
            var seen: [MailboxEvent] = []
            for await event in stream { seen.append(event) }
            return seen
        }
        try await mailbox.createFolder("Work")
        try await mailbox.append(Samples.message(), to: "INBOX")
        try await mailbox.append(contentsOf: [MessageToAppend(Samples.message())], to: "INBOX")
        let seen = try await mailbox.store(.add([.seen]), on: .all, in: "INBOX")
        _ = try await mailbox.store(.add([.seen]), on: .all, in: "INBOX")
        _ = try await mailbox.copy(UIDSet([1]), from: "INBOX", to: "Work")
        _ = try await mailbox.move(UIDSet([2]), from: "INBOX", to: "Work")
        let deleted = try await mailbox.store(.add([.deleted]), on: UIDSet([1]), in: "Work")
        _ = try await mailbox.expunge("Work")
        _ = try await mailbox.expunge("Work")
        try await mailbox.renameFolder("Work", to: "Jobs")
        try await mailbox.deleteFolder("Jobs")
        await #expect(throws: MailboxError.folderExists) { try await mailbox.createFolder("inbox") }
        try await mailbox.renameFolder("INBOX", to: "Old")
        await mailbox.close()
        let events = await collector.value
        #expect(events == [
            .folderCreated("Work"),
            .messagesAdded(folder: "INBOX", uids: [1]),
            .messagesAdded(folder: "INBOX", uids: [2]),
            .flagsChanged(folder: "INBOX", changes: seen.changed),
            .messagesAdded(folder: "Work", uids: [1]),
            .messagesAdded(folder: "Work", uids: [2]),
            .messagesExpunged(folder: "INBOX", uids: [2]),
            .flagsChanged(folder: "Work", changes: deleted.changed),
            .messagesExpunged(folder: "Work", uids: [1]),
            .folderRenamed(from: "Work", to: "Jobs"),
            .folderDeleted("Jobs"),
            .folderCreated("Old"),
            .messagesAdded(folder: "Old", uids: [1]),
            .messagesExpunged(folder: "INBOX", uids: [1]),
        ])
    }

    @Test("Concurrent appends from two tasks keep UIDs and MODSEQs strictly increasing", arguments: MailboxFactory.all)
    func concurrentAppends(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let perTask = 150
        let results = try await withThrowingTaskGroup(of: [(String, AppendedMessage)].self) { group in
            for name in ["left", "right"] {
                group.addTask {
                    var mine: [(String, AppendedMessage)] = []
                    for index in 0..<perTask {
                        let subject = "\(name) \(index)"
                        mine.append((subject, try await mailbox.append(Samples.message(subject: subject), to: "INBOX")))
                    }
                    return mine
                }
            }
            var all: [(String, AppendedMessage)] = []
            for try await part in group { all += part }
            return all
        }
        let byUID = results.sorted { $0.1.uid < $1.1.uid }
        #expect(byUID.map(\.1.uid) == (1...UInt32(2 * perTask)).map { $0 })
        #expect(zip(byUID, byUID.dropFirst()).allSatisfy { $0.1.modSeq < $1.1.modSeq })
        // Each task saw its own appends in order.
        for name in ["left", "right"] {
            let mine = results.filter { $0.0.hasPrefix(name + " ") }.map(\.1.uid)
            #expect(mine == mine.sorted())
        }
        let fetched = try await mailbox.fetch(.all, in: "INBOX", content: .metadata)
        #expect(fetched.map(\.uid) == byUID.map(\.1.uid))
        #expect(fetched.map(\.envelope.subject) == byUID.map(\.0))
        #expect(try await mailbox.status(of: "INBOX").uidNext == UInt32(2 * perTask + 1))
    }

    @Test("Concurrent appends to two folders and flag changes draw distinct MODSEQs from one counter", arguments: MailboxFactory.all)
    func concurrentMixedWork(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let rounds = 60
        let stamps = try await withThrowingTaskGroup(of: [(String, UInt32, UInt64)].self) { group in
            for folder in ["INBOX", "Sent"] {
                group.addTask {
                    var mine: [(String, UInt32, UInt64)] = []
                    for _ in 0..<rounds {
                        let appended = try await mailbox.append(Samples.message(), to: folder)
                        mine.append((folder, appended.uid, appended.modSeq))
                        let stored = try await mailbox.store(.add([.seen]), on: UIDSet([appended.uid]), in: folder)
                        mine += stored.changed.map { (folder, $0.uid, $0.modSeq) }
                    }
                    return mine
                }
            }
            var all: [(String, UInt32, UInt64)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(stamps.count == 4 * rounds)
        #expect(Set(stamps.map(\.2)).count == stamps.count)
        for folder in ["INBOX", "Sent"] {
            let mine = stamps.filter { $0.0 == folder }
            #expect(Set(mine.map(\.1)) == Set((1...UInt32(rounds)).map { $0 }))
            let status = try await mailbox.status(of: folder)
            #expect(status.highestModSeq == mine.map(\.2).max() && status.unseenCount == 0 && status.uidNext == UInt32(rounds + 1))
            let fetched = try await mailbox.fetch(.all, in: folder, content: .metadata)
            // Each message's MODSEQ is its flag change's, which came after its append's.
            #expect(fetched.allSatisfy { message in message.modSeq == mine.filter { $0.1 == message.uid }.map(\.2).max() })
        }
    }
}
