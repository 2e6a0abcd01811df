import CommunityMailMessage
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// ENVELOPE, BODY and BODYSTRUCTURE of ``IMAPStructureCorpus`` against Dovecot's for the
/// same messages: Dovecot (dovecot-imapd) runs with its own configuration in a temporary
/// folder, `dovecot-lda` delivers the messages, `doveadm fetch` prints what Dovecot's IMAP
/// server sends for them.
@Suite struct IMAPDovecotStructureTests {
    static let dovecotAvailable =
        TestPeers.executable("dovecot") != nil && TestPeers.executable("doveadm") != nil
        && FileManager.default.isExecutableFile(atPath: "/usr/lib/dovecot/imap")
        && FileManager.default.isExecutableFile(atPath: "/usr/lib/dovecot/dovecot-lda")

    /// Our item without its `* 1 FETCH (NAME (` ... `))` frame: what doveadm prints.
    func ours(_ item: IMAPFetchItem, name: String) -> String {
        let line = IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, [item]))))
        let prefix = "* 1 FETCH (\(name) ("
        guard line.hasPrefix(prefix), line.hasSuffix("))\r\n") else { return line }
        return String(line.dropFirst(prefix.count).dropLast(3))  // "))\r\n": CRLF is one Character
    }

    @Test(.enabled(if: TestPeers.shouldRun(dovecotAvailable)))
    func structuresMatchDovecot() async throws {
        guard let dovecot = TestPeers.executable("dovecot"), let doveadm = TestPeers.executable("doveadm") else {
            Issue.record("dovecot is not installed (Scripts/peers/imap.apt)")
            return
        }
        let peer = try IMAPDovecotPeer(dovecot: dovecot, imapPort: 0)
        defer { peer.server.stop() }
        let folder = peer.folder
        let configurationPath = peer.configurationPath
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder.path("messages"), withIntermediateDirectories: true)

        // Deliver in order (UID n is message n); the first delivery also waits for the server.
        let lda = URL(fileURLWithPath: "/usr/lib/dovecot/dovecot-lda")
        for (index, message) in IMAPStructureCorpus.messages.enumerated() {
            let path = folder.path("messages/\(index)")
            try Data(message.bytes).write(to: URL(fileURLWithPath: path))
            var delivered = false
            var lastOutput = ""
            for _ in 0..<100 where !delivered {
                let result = try await ChildProcess.run(lda, ["-c", configurationPath, "-d", "alice", "-p", path])
                delivered = result.status == 0
                lastOutput = result.output
                if !delivered { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(delivered, "dovecot-lda: \(lastOutput) \(peer.server.output)")
        }
        let fetched = try await ChildProcess.run(
            doveadm, ["-c", configurationPath, "-f", "pager", "fetch", "-u", "alice", "uid imap.envelope imap.body imap.bodystructure", "mailbox", "INBOX"])
        try #require(fetched.status == 0, "doveadm: \(fetched.output)")
        // Values may hold literals (and so line breaks): split each record at the field names.
        var records: [[String: String]] = []
        let names = ["uid", "imap.envelope", "imap.body", "imap.bodystructure"]
        for record in fetched.output.components(separatedBy: "\u{0C}") {
            var fields: [String: String] = [:]
            var rest = Substring(record.hasPrefix("\n") ? String(record.dropFirst()) : record)
            for (position, name) in names.enumerated() {
                guard rest.hasPrefix("\(name): ") else { break }
                rest = rest.dropFirst(name.count + 2)
                let end = position + 1 < names.count ? rest.range(of: "\n\(names[position + 1]): ")?.lowerBound : nil
                var value = String(rest[..<(end ?? rest.endIndex)])
                if end == nil, value.hasSuffix("\n") { value.removeLast() }
                fields[name] = value
                rest = rest[(end.map { rest.index(after: $0) } ?? rest.endIndex)...]
            }
            if !fields.isEmpty { records.append(fields) }
        }
        #expect(records.count == IMAPStructureCorpus.messages.count, "doveadm printed \(records.count) messages")
        guard records.count == IMAPStructureCorpus.messages.count else { return }
        for (index, message) in IMAPStructureCorpus.messages.enumerated() {
            let record = records[index]
            #expect(record["uid"] == String(index + 1))
            let parsed = MailMessage(message.bytes)
            #expect(ours(.envelope(IMAPEnvelope(message: parsed)), name: "ENVELOPE") == record["imap.envelope"], "\(message.name): ENVELOPE")
            #expect(ours(.body(IMAPBodyStructure(message: parsed)), name: "BODY") == record["imap.body"], "\(message.name): BODY")
            #expect(
                ours(.bodyStructure(IMAPBodyStructure(message: parsed)), name: "BODYSTRUCTURE") == record["imap.bodystructure"],
                "\(message.name): BODYSTRUCTURE")
        }
    }
}
