import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
@testable import EncryptedMailbox
import Foundation
import Testing

/// Migration 2 takes each stored body's RFC 5322 size once, in batches of bodies, and gives
/// it to every message placed on that body (copies share one); the sizes are what a client
/// receives (``WireForm``), the usage their sum.
@Suite struct MailboxSizeMigrationTests {
    @Test("A body shared by several messages in several folders, an empty body, a body with no stored bytes, and more bodies than a batch")
    func sharedBodiesAndBatches() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-size-migration")
        let path = directory.path("old.mailbox")
        let shared = Array("Subject: shared\nFrom: a@example.org\r\n\nline\rone\nline two\r\n\0end".utf8)
        // Enough distinct bodies to cross two batch boundaries, each with a different
        // number of bare LFs, CRLFs and bare CRs.
        let many: [[UInt8]] = (0..<(2 * MailboxSchema.sizeMigrationBatch + 3)).map { index in
            Array("Subject: \(index)\n\n".utf8) + Array(repeating: Array("x\n".utf8), count: index % 7).flatMap { $0 }
                + Array(repeating: Array("y\r\n".utf8), count: index % 5).flatMap { $0 } + (index % 3 == 0 ? [0x0d] : [])
        }
        // (folder id, body id, stored size) per message; body 1 is shared, 2 is empty, 3 has
        // no contents row, the rest are `many`.
        var placed: [(folder: Int, body: Int, stored: Int)] = [(1, 1, 0), (1, 1, 0), (2, 1, 0), (1, 2, 0), (2, 1, 0), (1, 3, 42)]
        placed += many.indices.map { (1 + $0 % 2, 4 + $0, many[$0].count) }
        do {
            let old = try SQLiteConnection(path: path)
            try old.migrate([MailboxSchema.migrations[0]])
            try old.execute("BEGIN")
            try old.run(
                "INSERT INTO folders(id, name, special_use, subscribed, uid_validity, uid_next, highest_modseq) VALUES (1, 'INBOX', NULL, 1, 7, ?, 1), (2, 'Work', NULL, 0, 8, ?, 1)",
                [placed.count + 1, placed.count + 1])
            let contents = [shared, []] + many
            for body in 1...(3 + many.count) {
                try old.run(
                    """
                    INSERT INTO bodies(id, header_length, date, from_text, to_text, cc_text, subject, message_id, in_reply_to,
                        reference_ids, has_attachment, from_fold, to_fold, cc_fold, subject_fold, message_id_fold)
                    VALUES (?, 0, NULL, '', '', '', '', NULL, '', '', 0, '', '', '', '', '')
                    """, [body])
                if body != 3 { try old.run("INSERT INTO contents(id, raw) VALUES (?, ?)", [body, contents[body < 3 ? body - 1 : body - 2]]) }
            }
            for (index, message) in placed.enumerated() {
                try old.run(
                    "INSERT INTO messages(folder_id, uid, body_id, flags, keywords, internal_date, modseq, size) VALUES (?, ?, ?, 0, '', 0, 1, ?)",
                    [message.folder, index + 1, message.body, message.stored])
            }
            try old.execute("COMMIT")
            old.close()
        }
        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        let mailbox = try SQLiteMailbox(path: path, create: false, configuration: configuration)
        let sizeOfBody: (Int) -> Int = { body in
            switch body {
            case 1: WireForm.of(shared).count
            case 2: 0
            case 3: 42
            default: WireForm.of(many[body - 4]).count
            }
        }
        var found: [Int: Int] = [:]
        for folder in ["INBOX", "Work"] {
            for message in try await mailbox.fetch(.all, in: folder, content: .metadata) { found[Int(message.uid)] = message.size }
        }
        let expected = Dictionary(uniqueKeysWithValues: placed.enumerated().map { ($0.offset + 1, sizeOfBody($0.element.body)) })
        #expect(found == expected)
        #expect(WireForm.of(shared).count == shared.count + 3)
        #expect(try await mailbox.usage().bytes == expected.values.reduce(0, +))
        await mailbox.close()
    }
}
