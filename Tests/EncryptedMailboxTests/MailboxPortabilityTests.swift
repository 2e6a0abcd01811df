import CommunityMailMessage
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

@Suite("mbox and .eml import and export")
struct MailboxPortabilityTests {
    static let corpusSize = 2_000

    @Test("A 2,000-message corpus imports from mbox and exports byte-identical", arguments: MailboxFactory.all)
    func corpusRoundTrip(factory: MailboxFactory) async throws {
        var generator = MailCorpus(seed: 20_261_129)
        let corpus = (0..<Self.corpusSize).map { generator.message($0) }
        #expect(corpus.contains { $0.fromLinesInBody > 0 } && corpus.contains { $0.hasAttachment })
        let mbox = MailCorpus.mbox(corpus)
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox

        let appended = try await mailbox.importMbox(mbox, into: "INBOX")
        #expect(appended.map(\.uid) == (1...UInt32(Self.corpusSize)).map { $0 })
        let fetched = try await mailbox.fetch(.all, in: "INBOX", content: .whole)
        #expect(fetched.count == corpus.count)
        #expect(zip(fetched, corpus).allSatisfy { $0.content == $1.bytes && $0.internalDate == $1.date })
        let exported = try await mailbox.exportMbox(folder: "INBOX")
        #expect(exported.count == mbox.count)
        #expect(exported == mbox)

        // The index saw through the encodings.
        let wrong = zip(fetched, corpus).filter { $0.envelope.subject != $1.subject }.map { "\($0.uid): \($0.envelope.subject) != \($1.subject)" }
        let wrongCount = wrong.count
        #expect(wrongCount == 0, "subjects that did not decode: \(wrong.prefix(3))")
        #expect(try await mailbox.search(.hasAttachment, in: "INBOX").count == corpus.count { $0.hasAttachment })
        #expect(try await mailbox.search(.header(.subject, "отчёт"), in: "INBOX").count == Self.corpusSize / 5)
        #expect(try await mailbox.search(.body("grüße"), in: "INBOX").count > 0)
        #expect(try await mailbox.threads(in: "INBOX").count < Self.corpusSize)

        // A second pass through a file reproduces the same bytes.
        let directory = try TemporaryDirectory(prefix: "mbox-test")
        let file = directory.url.appendingPathComponent("inbox.mbox")
        #expect(try await mailbox.exportMbox(folder: "INBOX", to: file) == Self.corpusSize)
        #expect(try Array(Data(contentsOf: file)) == mbox)
        // Read back from the file a message at a time (several read chunks), in batches.
        let reimported = try await mailbox.importMbox(from: file, into: "Archive")
        #expect(reimported.count == Self.corpusSize)
        let archived = try await mailbox.fetch(.all, in: "Archive", content: .whole)
        #expect(archived.map(\.content) == fetched.map(\.content))
        #expect(archived.map(\.internalDate) == fetched.map(\.internalDate))
    }

    @Test("Folders export to .eml directories and mbox trees and import back", arguments: MailboxFactory.all)
    func wholeMailbox(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let source = made.mailbox
        var generator = MailCorpus(seed: 7)
        let messages = (0..<30).map { generator.message($0) }
        try await source.createFolder("Work")
        try await source.createFolder("Work/Projects")
        for (index, message) in messages.enumerated() {
            let folder = ["INBOX", "Work", "Work/Projects", "Sent"][index % 4]
            try await source.append(message.bytes, to: folder, flags: [], keywords: [], internalDate: message.date)
        }
        let directory = try TemporaryDirectory(prefix: "export-test")
        for layout in [MailboxExportLayout.mbox, .eml] {
            let tree = directory.url.appendingPathComponent("\(layout)")
            #expect(try await source.exportAll(to: tree, layout: layout) == messages.count)
            let madeTarget = try factory()
            defer { withExtendedLifetime(madeTarget) {} }
            let target = madeTarget.mailbox
            #expect(try await target.importAll(from: tree, layout: layout) == messages.count)
            for folder in ["INBOX", "Work", "Work/Projects", "Sent"] {
                let before = try await source.fetch(.all, in: folder, content: .whole)
                let after = try await target.fetch(.all, in: folder, content: .whole)
                #expect(after.map(\.content) == before.map(\.content), "\(layout) \(folder)")
                #expect(after.map(\.internalDate) == before.map(\.internalDate), "\(layout) \(folder)")
            }
        }
        // One folder to .eml and back into a new folder.
        let eml = directory.url.appendingPathComponent("single")
        #expect(try await source.exportEML(folder: "Work", to: eml) == messages.count / 4 + 1)
        try await source.createFolder("Restored")
        try await source.importEML(from: eml, into: "Restored")
        #expect(try await source.fetch(.all, in: "Restored", content: .whole).map(\.content) == source.fetch(.all, in: "Work", content: .whole).map(\.content))
    }
}
