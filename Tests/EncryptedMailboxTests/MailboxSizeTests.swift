import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
@testable import EncryptedMailbox
import Foundation
import Testing

/// A message's size is its length in RFC 5322 form (every line ended by CRLF: a stored bare
/// LF counts two octets, a bare CR one), the length an IMAP server sends as BODY[] and a
/// POP3 server as RETR's data (RFC 9051 section 2.3.1, RFC 1939 section 11), less the CRLF
/// RETR adds after a last line without a line end (as Dovecot's LIST). Every reader of
/// the size agrees: FETCH's size, SEARCH LARGER/SMALLER, SORT by size, the quota's usage;
/// and files written when the stored length was kept are migrated to it.
@Suite struct MailboxSizeTests {
    /// Stored bytes with CRLF, bare LF, mixed, bare CR, a CR-CR-LF pair and no final line end.
    static let messages: [[UInt8]] = [
        Array("Subject: crlf\r\nFrom: a@example.org\r\n\r\nbody\r\n".utf8),
        Array("Subject: lf\nFrom: a@example.org\n\nline one\nline two\n".utf8),
        Array("Subject: mixed\r\nFrom: a@example.org\n\r\nline1\nline2\r\nline3\rline4\r\r\nend\n".utf8),
        Array("Subject: bare cr\rX-A: b\r\n\r\nbody\rmore\r\n".utf8),
        Array("Subject: no end\n\nlast line".utf8),
        [0x0a, 0x0a, 0x0d, 0x0a] + Array("Subject: odd".utf8) + [0x00, 0x0a, 0xff, 0x0d],
    ]

    /// What a client receives (RFC 5322 form).
    static func wireForm(_ bytes: [UInt8]) -> [UInt8] { WireForm.of(bytes) }

    @Test func sizeFunctionCountsTheWireForm() {
        for message in Self.messages {
            #expect(MessageSize.inRFC5322Form(message) == Self.wireForm(message).count)
        }
        #expect(MessageSize.inRFC5322Form([]) == 0)
        // An LF first in a slice counts as bare: the slice has no CR before it.
        let bytes: [UInt8] = [0x0d, 0x0a, 0x0a]
        #expect(MessageSize.inRFC5322Form(bytes[1...]) == 4)
    }

    @Test(arguments: MailboxFactory.all)
    func everyReaderOfTheSizeAgrees(factory: MailboxFactory) async throws {
        let box = try factory()
        let mailbox = box.mailbox
        for message in Self.messages { try await mailbox.append(message, to: "INBOX") }
        let expected = Self.messages.map { Self.wireForm($0).count }
        let fetched = try await mailbox.fetch(.all, in: "INBOX", content: .metadata)
        #expect(fetched.map(\.size) == expected)
        let whole = try await mailbox.fetch(.all, in: "INBOX", content: .whole)
        #expect(whole.map(\.size) == expected)
        // sizes(of:in:) reads the same number, for the UIDs the folder holds only.
        let uidsAndSizes = Dictionary(uniqueKeysWithValues: expected.enumerated().map { (UInt32($0.offset + 1), $0.element) })
        #expect(try await mailbox.sizes(of: .all, in: "INBOX") == uidsAndSizes)
        #expect(try await mailbox.sizes(of: UIDSet([2, 4, 99]), in: "INBOX") == [2: expected[1], 4: expected[3]])
        #expect(try await mailbox.sizes(of: UIDSet([99]), in: "INBOX").isEmpty)
        await #expect(throws: MailboxError.folderNotFound) { try await mailbox.sizes(of: .all, in: "Nowhere") }
        #expect(try await mailbox.sizes(of: .all, in: "INBOX", content: .text) == uidsAndSizes)
        #expect(try await mailbox.sizes(of: .all, in: "INBOX", content: .metadata).values.allSatisfy { $0 == 0 })
        // For headers, never fewer octets than a fetch of them holds, nor more than the
        // message; SQLite gives each header's own length (the fake's default counts it whole).
        let headers = try await mailbox.fetch(.all, in: "INBOX", content: .header)
        let headerSizes = try await mailbox.sizes(of: .all, in: "INBOX", content: .header)
        #expect(headers.count == Self.messages.count)
        for header in headers {
            let size = try #require(headerSizes[header.uid])
            #expect(size >= (header.content?.count ?? 0) && size <= header.size, "UID \(header.uid)")
            if mailbox is SQLiteMailbox { #expect(size == header.content?.count, "UID \(header.uid)") }
        }
        // Stored byte-exact all the same.
        #expect(whole.map { $0.content ?? [] } == Self.messages)
        #expect(try await mailbox.usage().bytes == expected.reduce(0, +))
        // LARGER n / SMALLER n are strict (RFC 9051 section 6.4.4), on the same sizes.
        for (index, size) in expected.enumerated() {
            let uid = UInt32(index + 1)
            #expect(try await mailbox.search(.larger(size - 1), in: "INBOX").contains(uid))
            #expect(try await !mailbox.search(.larger(size), in: "INBOX").contains(uid))
            #expect(try await mailbox.search(.smaller(size + 1), in: "INBOX").contains(uid))
            #expect(try await !mailbox.search(.smaller(size), in: "INBOX").contains(uid))
        }
        let bySize = try await mailbox.sort([SortKey(.size)], in: "INBOX")
        let uids = expected.indices.map { UInt32($0 + 1) }
        #expect(bySize == uids.sorted { (expected[Int($0 - 1)], $0) < (expected[Int($1 - 1)], $1) })
        // A copy counts again, with the same size.
        try await mailbox.createFolder("Copies")
        _ = try await mailbox.copy(.all, from: "INBOX", to: "Copies")
        #expect(try await mailbox.fetch(.all, in: "Copies", content: .metadata).map(\.size) == expected)
        #expect(try await mailbox.usage().bytes == 2 * expected.reduce(0, +))
        await mailbox.close()
    }

    /// The quota counts sizes in RFC 5322 form: a bare-LF message of 12 stored bytes and
    /// 17 on the wire does not fit in 16.
    @Test(arguments: MailboxFactory.all)
    func quotaCountsTheWireForm(factory: MailboxFactory) async throws {
        let message = Array("S: x\n\na\nb\nc\n".utf8)
        #expect(message.count == 12 && Self.wireForm(message).count == 17)
        let box = try factory(quota: MailboxQuota(maxBytes: 16))
        await #expect(throws: MailboxError.quotaExceeded) { try await box.mailbox.append(message, to: "INBOX") }
        let roomy = try factory(quota: MailboxQuota(maxBytes: 17))
        try await roomy.mailbox.append(message, to: "INBOX")
        #expect(try await roomy.mailbox.usage().bytes == 17)
        await box.mailbox.close()
        await roomy.mailbox.close()
    }

    /// A file written with the first schema, whose sizes were the stored lengths, opens
    /// with every size (and the usage) recomputed in RFC 5322 form, contents untouched.
    @Test func filesWithStoredLengthsAreMigrated() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-sizes")
        var configuration = MailboxStore.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        let store = try MailboxStore(directory: directory.url, configuration: configuration)
        let path = directory.url.appendingPathComponent("\(try store.identifier(for: "old")).mailbox").path
        do {
            var connection = SQLiteConnection.Configuration()
            connection.create = true
            let old = try SQLiteConnection(path: path, configuration: connection)
            try old.migrate([MailboxSchema.migrations[0]])
            try old.run(
                "INSERT INTO folders(name, special_use, subscribed, uid_validity, uid_next, highest_modseq) VALUES ('INBOX', NULL, 1, 7, ?, 1)",
                [Self.messages.count + 1])
            for (index, message) in Self.messages.enumerated() {
                try old.run(
                    """
                    INSERT INTO bodies(id, header_length, date, from_text, to_text, cc_text, subject, message_id, in_reply_to,
                        reference_ids, has_attachment, from_fold, to_fold, cc_fold, subject_fold, message_id_fold)
                    VALUES (?, 0, NULL, '', '', '', '', NULL, '', '', 0, '', '', '', '', '')
                    """, [index + 1])
                try old.run("INSERT INTO contents(id, raw) VALUES (?, ?)", [index + 1, message])
                try old.run(
                    "INSERT INTO messages(folder_id, uid, body_id, flags, keywords, internal_date, modseq, size) VALUES (1, ?, ?, 0, '', 0, 1, ?)",
                    [index + 1, index + 1, message.count])
            }
            #expect(try old.queryFirst("SELECT value FROM mailbox_meta WHERE key = 'bytes'")?[0].integerValue == Int64(Self.messages.reduce(0) { $0 + $1.count }))
            old.close()
        }
        let mailbox = try store.open(userID: "old")
        let expected = Self.messages.map { Self.wireForm($0).count }
        let fetched = try await mailbox.fetch(.all, in: "INBOX", content: .whole)
        #expect(fetched.map(\.size) == expected)
        #expect(fetched.map { $0.content ?? [] } == Self.messages)
        #expect(try await mailbox.usage().bytes == expected.reduce(0, +))
        #expect(try await mailbox.search(.larger(Self.wireForm(Self.messages[1]).count - 1), in: "INBOX").contains(2))
        await mailbox.close()
        // Opened again, nothing is recomputed twice.
        let again = try store.open(userID: "old")
        #expect(try await again.fetch(.all, in: "INBOX", content: .metadata).map(\.size) == expected)
        await again.close()
    }
}
