import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

/// The store against programs nobody here wrote: util-linux `flock(1)` contends for the
/// writer lock from another process, and Python's own SQLite reads a plain mailbox file
/// while our writer holds it (WAL).
@Suite("MailboxStore across processes")
struct MailboxProcessTests {
    static let flock = TestPeers.executable("flock")
    static let python = TestPeers.python ?? TestPeers.executable("python3")

    func makeStore(_ folder: TemporaryDirectory) throws -> MailboxStore {
        var configuration = MailboxStore.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        return try MailboxStore(directory: folder.url, configuration: configuration)
    }

    @Test("Another process cannot write while we hold a mailbox, and we cannot while it does",
          .enabled(if: TestPeers.shouldRun(flock != nil)))
    func writerLockAcrossProcesses() async throws {
        let flock = try #require(Self.flock)
        let folder = try TemporaryDirectory(prefix: "store-process")
        let store = try makeStore(folder)
        let writer = try store.create(userID: "u")
        let lockPath = folder.path("\(try store.identifier(for: "u")).mailbox.lock")

        // flock -n exits 1 when the lock is taken.
        let refused = try ChildProcess(flock, ["-n", "-E", "75", lockPath, "true"])
        #expect(await refused.exited() == 75)
        await writer.close()
        let allowed = try ChildProcess(flock, ["-n", "-E", "75", lockPath, "true"])
        #expect(await allowed.exited() == 0)

        // Now the other process holds it; we wait until it has, then are refused.
        // The shell locks its descriptor 9 with flock(1), then becomes `sleep` (same process,
        // same descriptor), so stopping that one process frees the lock and leaves no orphan.
        // It says "locked" once it holds the lock, and holds it until stopped (a long sleep:
        // on a loaded machine this test can be descheduled for many seconds).
        let shell = try #require(TestPeers.executable("sh"))
        let holder = try ChildProcess(shell, ["-c", "exec 9>>\"$1\"; \"$0\" 9 && echo locked && exec sleep 600", flock.path, lockPath])
        let deadline = ContinuousClock.now + .seconds(30)
        while !holder.output.contains("locked") && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(holder.output.contains("locked"), "\(holder.output)")
        #expect(throws: MailboxError.locked) { try store.open(userID: "u") }
        let reader = try store.open(userID: "u", readOnly: true)
        #expect(try await reader.folders().count == SpecialUse.allCases.count)
        holder.stop()
        let reopened = try store.open(userID: "u")
        #expect(try await reopened.status(of: "INBOX").messageCount == 0)
        await reopened.close()
        await reader.close()
    }

    @Test("Python's SQLite reads a plain mailbox file while our writer has it open",
          .enabled(if: TestPeers.shouldRun(python != nil)))
    func independentReader() async throws {
        let python = try #require(Self.python)
        let folder = try TemporaryDirectory(prefix: "store-python")
        let store = try makeStore(folder)
        let writer = try store.create(userID: "u")
        for index in 0..<3 { try await writer.append(Samples.message(subject: "python \(index)"), to: "INBOX") }
        let path = folder.path("\(try store.identifier(for: "u")).mailbox")
        let script = """
            import sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            count = db.execute("SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.name = 'INBOX'").fetchone()[0]
            subjects = [r[0] for r in db.execute("SELECT subject FROM bodies ORDER BY id")]
            hits = db.execute("SELECT count(*) FROM body_text WHERE body_text MATCH 'short'").fetchone()[0]
            print(count, db.execute("PRAGMA integrity_check").fetchone()[0], hits, "|".join(subjects))
            """
        let child = try ChildProcess(python, ["-c", script, path])
        #expect(await child.exited() == 0, "\(child.output)")
        #expect(child.output.trimmingCharacters(in: .whitespacesAndNewlines) == "3 ok 3 python 0|python 1|python 2")

        // Bodies are shared by copies and go, with their bytes and text index, with the last copy.
        func storedBodies() async throws -> String {
            let counts = """
                import sqlite3, sys
                db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
                print(*[db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("messages", "bodies", "contents", "body_text")])
                """
            let child = try ChildProcess(python, ["-c", counts, path])
            await child.exited()
            return child.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try await writer.copy(UIDSet([2]), from: "INBOX", to: "Archive")
        #expect(try await storedBodies() == "4 3 3 3")
        _ = try await writer.store(.add([.deleted]), on: .all, in: "INBOX")
        _ = try await writer.expunge("INBOX")
        #expect(try await storedBodies() == "1 1 1 1")
        try await writer.deleteFolder("Archive")
        #expect(try await storedBodies() == "0 0 0 0")
        await writer.close()
    }
}
