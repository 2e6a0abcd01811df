import CommunityMailTestSupport
import Foundation
import Testing

/// The `mailbox` example, run as a user would: create, import, folders, list, search,
/// export, and the passphrase rule.
@Suite("The mailbox example")
struct MailboxExampleTests {
    /// The example beside the test bundle, where `swift build --build-tests` puts both.
    static let executable: URL? = TestPeers.builtExecutable("mailbox")

    func run(_ arguments: [String], passphrase: String? = "example passphrase") async throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["MAILBOX_PASSPHRASE"] = passphrase
        return try await ChildProcess.run(try #require(Self.executable), arguments, environment: environment)
    }

    @Test("create, import, folders, list, search and export work end to end",
          .enabled(if: TestPeers.shouldRun(executable != nil)))
    func endToEnd() async throws {
        let folder = try TemporaryDirectory(prefix: "mailbox-example")
        var generator = MailCorpus(seed: 11)
        let corpus = (0..<40).map { generator.message($0) }
        let mbox = MailCorpus.mbox(corpus)
        try Data(mbox).write(to: folder.url.appendingPathComponent("in.mbox"))
        let store = folder.path("store")

        #expect(try await run([store, "alice", "create"]).status == 0)
        let imported = try await run([store, "alice", "import", folder.path("in.mbox")])
        #expect(imported.status == 0 && imported.output.contains("imported 40 messages"), "\(imported.output)")
        let folders = try await run([store, "alice", "folders"])
        #expect(folders.output.contains("INBOX\t\\Inbox\t40\t40\t"), "\(folders.output)")
        #expect(folders.output.contains("opener: encrypted"))
        let list = try await run([store, "alice", "list", "INBOX"])
        #expect(list.output.split(separator: "\n").filter { $0.hasPrefix("1\t") || $0.hasPrefix("40\t") }.count == 2)
        #expect(list.output.contains(corpus[0].subject))
        let search = try await run([store, "alice", "search", "subject:#7 OR subject:#13"])
        let hits = search.output.split(separator: "\n").filter { !$0.hasPrefix("mailbox:") }
        #expect(hits.count == 2 && hits[0].hasPrefix("8\t") && hits[1].hasPrefix("14\t"), "\(search.output)")
        let exported = try await run([store, "alice", "export", folder.path("out.mbox")])
        #expect(exported.status == 0, "\(exported.output)")
        #expect(try Array(Data(contentsOf: folder.url.appendingPathComponent("out.mbox"))) == mbox)

        // Errors are one clear line and a failure status, never a crash.
        let wrong = try await run([store, "alice", "folders"], passphrase: "not the passphrase")
        #expect(wrong.status == 1 && wrong.output.contains("passphrase does not open"), "\(wrong.output)")
        let missing = try await run([store, "alice", "folders"], passphrase: nil)
        #expect(missing.status != 0 && missing.output.contains("MAILBOX_PASSPHRASE"), "\(missing.output)")
        #expect(try await run([store, "bob", "folders"]).output.contains("no mailbox for that user"))
        #expect(try await run([store, "alice", "search", "(unbalanced"]).output.contains("missing"))
        #expect(try await run([store, "alice"]).status == 1)
    }
}
