import CommunityMailSystem
import EncryptedMailbox
import Foundation

/// The mailbox model at work: append 10,000 messages of about 20 KiB, then a header search,
/// a body-text search (FTS5), a fetch of 1,000 whole messages, a folder STATUS and a STORE
/// of \Seen on and off every message (best of six each). "Ours" opens its file with
/// the store's standard opener (the encrypting one); the baseline does the same work on a
/// plain, unencrypted SQLite file, in the same run.
enum MailboxBenchmark {
    static let messageCount = 10_000
    static let targetSize = 20 * 1024
    static let fetchCount = 1_000

    private static let words = [
        "kernel", "package", "release", "mirror", "upload", "review", "community", "launchpad", "translation",
        "desktop", "server", "security", "archive", "meeting", "budget", "snap", "daily", "patch", "bug", "build",
    ]
    private static let senders = ["alice@example.org", "bob@example.net", "carol@ubuntu.example", "dmitri@example.ru", "emile@example.fr", "yuki@example.jp"]

    /// A plausible ~20 KiB message; 1 in 100 mentions "zircon" in its body.
    static func message(_ index: Int) -> [UInt8] {
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % 1_000_003)
        }
        var text = """
            Return-Path: <\(senders[index % senders.count])>\r
            From: Member \(index % 97) <\(senders[index % senders.count])>\r
            To: list@lists.example.org\r
            Subject: Weekly \(words[index % words.count]) report #\(index)\r
            Date: Mon, 2 Nov 2026 10:\(String(format: "%02d", index % 60)):00 +0000\r
            Message-ID: <bench\(index)@example.org>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r

            """
        var line = ""
        while text.utf8.count < targetSize {
            line += words[next() % words.count] + " "
            if index % 100 == 7 && next() % 400 == 0 { line += "zircon " }
            if line.utf8.count > 70 {
                text += line + "\r\n"
                line = ""
            }
        }
        return Array(text.utf8)
    }

    struct Side {
        var label: String
        var opener: MailboxDatabaseOpener
        var append = Duration.zero
        var headerSearch = Duration.seconds(1_000_000)
        var bodySearch = Duration.seconds(1_000_000)
        var fetch = Duration.seconds(1_000_000)
        var status = Duration.seconds(1_000_000)
        var storeSeen = Duration.seconds(1_000_000)
        var headerHits = 0
        var bodyHits = 0
        var fetchedBytes = 0
        var mailbox: SQLiteMailbox?
        var directory: URL?
    }

    static func run() async throws {
        let messages = (0..<messageCount).map(message)
        let totalBytes = messages.reduce(0) { $0 + $1.count }
        print("mailbox: append \(messageCount) messages (\(format(Double(totalBytes) / 1_048_576)) MiB, ~\(targetSize / 1024) KiB each), "
            + "then a header search, a body search, a fetch of \(fetchCount) whole messages, STATUS and STORE +/-\\Seen on all")
        print("  commits: synchronous NORMAL (WAL), one transaction per append")
        var ours = Side(label: "ours", opener: .standard)
        var baseline = Side(label: "baseline", opener: .plain)
        print("  ours:     \(ours.opener.name)")
        print("  baseline: \(baseline.opener.name)")
        defer {
            for side in [ours, baseline] { if let directory = side.directory { try? FileManager.default.removeItem(at: directory) } }
        }

        // Appends: one full pass per side (a pass is the measurement), ours first.
        for index in 0..<2 {
            var side = index == 0 ? ours : baseline
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-mailbox-\(UUID().uuidString)")
            var configuration = MailboxStore.Configuration()
            configuration.opener = side.opener
            configuration.synchronous = .normal
            let store = try MailboxStore(directory: directory, configuration: configuration)
            let mailbox = try store.create(userID: "bench", passphrase: side.opener.encrypts ? "benchmark passphrase" : nil)
            let start = ContinuousClock.now
            for message in messages {
                try await mailbox.append(message, to: "INBOX", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1_793_700_000))
            }
            side.append = ContinuousClock.now - start
            // Claimed as an IMAP session's SELECT claims them, so that STATUS below has no
            // \Recent message left to count (it counts those over the UID index).
            let inbox = try await mailbox.status(of: "INBOX")
            _ = try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: .max)
            side.mailbox = mailbox
            side.directory = directory
            if index == 0 { ours = side } else { baseline = side }
        }

        // Searches and fetches: alternate the sides, keep each one's fastest of five.
        let header = SearchQuery.header(.from, "dmitri")
        let body = SearchQuery.body("zircon")
        let range = UIDSet(UInt32(4_001)...UInt32(4_000 + fetchCount))
        for _ in 0..<6 {
            for index in 0..<2 {
                var side = index == 0 ? ours : baseline
                guard let mailbox = side.mailbox else { continue }
                var start = ContinuousClock.now
                side.headerHits = try await mailbox.search(header, in: "INBOX").count
                side.headerSearch = min(side.headerSearch, ContinuousClock.now - start)
                start = ContinuousClock.now
                side.bodyHits = try await mailbox.search(body, in: "INBOX").count
                side.bodySearch = min(side.bodySearch, ContinuousClock.now - start)
                start = ContinuousClock.now
                let fetched = try await mailbox.fetch(range, in: "INBOX", content: .whole)
                side.fetch = min(side.fetch, ContinuousClock.now - start)
                side.fetchedBytes = fetched.reduce(0) { $0 + ($1.content?.count ?? 0) }
                // STATUS reads the folder row's counters (it used to count the folder).
                start = ContinuousClock.now
                _ = try await mailbox.status(of: "INBOX")
                side.status = min(side.status, ContinuousClock.now - start)
                // \Seen on and off every message: each row change moves the unseen counter.
                start = ContinuousClock.now
                _ = try await mailbox.store(.add(.seen), on: .all, in: "INBOX", unchangedSince: nil)
                _ = try await mailbox.store(.remove(.seen), on: .all, in: "INBOX", unchangedSince: nil)
                side.storeSeen = min(side.storeSeen, (ContinuousClock.now - start) / 2)
                if index == 0 { ours = side } else { baseline = side }
            }
        }
        for side in [ours, baseline] { await side.mailbox?.close() }

        let mebibytes = Double(totalBytes) / 1_048_576
        let fetchedMiB = Double(ours.fetchedBytes) / 1_048_576
        print("results (ratio = ours time / baseline time)")
        for side in [ours, baseline] {
            print("  \(side.label):")
            report("    append", "\(format(Double(messageCount) / side.append.seconds, 0)) msg/s, \(format(mebibytes / side.append.seconds)) MiB/s (\(format(side.append.seconds, 2)) s)")
            report("    header search from:dmitri (\(side.headerHits) hits)", "\(format(side.headerSearch.seconds * 1000, 2)) ms, \(format(1 / side.headerSearch.seconds, 0)) searches/s")
            report("    body search zircon (\(side.bodyHits) hits)", "\(format(side.bodySearch.seconds * 1000, 2)) ms, \(format(1 / side.bodySearch.seconds, 0)) searches/s")
            report("    fetch \(fetchCount) whole messages", "\(format(Double(fetchCount) / side.fetch.seconds, 0)) msg/s, \(format(fetchedMiB / side.fetch.seconds)) MiB/s")
            report("    STATUS INBOX (\(messageCount) messages)", "\(format(side.status.seconds * 1_000_000, 0)) us")
            report("    STORE +/-\\Seen on all \(messageCount)", "\(format(side.storeSeen.seconds * 1000, 1)) ms each")
        }
        print("  ratios:")
        report("    append", format(ours.append.seconds / baseline.append.seconds, 2) + "x")
        report("    header search", format(ours.headerSearch.seconds / baseline.headerSearch.seconds, 2) + "x")
        report("    body search", format(ours.bodySearch.seconds / baseline.bodySearch.seconds, 2) + "x")
        report("    fetch", format(ours.fetch.seconds / baseline.fetch.seconds, 2) + "x")
        report("    STATUS", format(ours.status.seconds / baseline.status.seconds, 2) + "x")
        report("    STORE \\Seen", format(ours.storeSeen.seconds / baseline.storeSeen.seconds, 2) + "x")
    }
}
