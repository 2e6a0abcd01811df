import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Synchronization
import Testing

/// Collects what an ``IMAPSession`` writes, in order.
final class IMAPSessionCollector: IMAPResponseWriter {
    private let responses = Mutex<[IMAPResponse]>([])

    func write(_ response: IMAPResponse) async throws { responses.withLock { $0.append(response) } }

    /// What was written since the last call.
    func take() -> [IMAPResponse] {
        responses.withLock { written in
            defer { written.removeAll() }
            return written
        }
    }
}

/// The two mailbox implementations every session test runs on: the fake, and the real
/// encrypted SQLite file in a temporary folder.
enum IMAPSessionMailboxKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case inMemory
    case encryptedSQLite

    var description: String { rawValue }

    static let passphrase = "session test passphrase"

    /// A fresh mailbox (INBOX and the special-use folders) with `quota`; the folder holding
    /// an encrypted file lives as long as the returned value.
    func make(quota: MailboxQuota = .unlimited) throws -> IMAPSessionMailbox {
        switch self {
        case .inMemory:
            var configuration = InMemoryMailbox.Configuration()
            configuration.quota = quota
            return IMAPSessionMailbox(mailbox: InMemoryMailbox(configuration: configuration), directory: nil)
        case .encryptedSQLite:
            let directory = try TemporaryDirectory(prefix: "imap-session")
            var configuration = SQLiteMailbox.Configuration()
            configuration.opener = .encrypted(kdfIterations: 1000)
            configuration.synchronous = .normal
            configuration.quota = quota
            let mailbox = try SQLiteMailbox(
                path: directory.path("member.sqlite"), create: true, passphrase: Self.passphrase, configuration: configuration)
            return IMAPSessionMailbox(mailbox: mailbox, directory: directory)
        }
    }
}

/// A mailbox under test and the folder its file lives in.
struct IMAPSessionMailbox: Sendable {
    let mailbox: any Mailbox
    let directory: TemporaryDirectory?

    /// A snapshot of everything a client could change: folders with their status, and each
    /// message's UID, flags, keywords and MODSEQ.
    func snapshot() async throws -> [String] {
        var lines: [String] = []
        for folder in try await mailbox.folders() {
            lines.append("\(folder.name) \(folder.specialUse?.rawValue ?? "-") \(folder.isSubscribed) \(folder.uidValidity) \(folder.uidNext) \(folder.messageCount) \(folder.highestModSeq)")
            for message in try await mailbox.changes(in: folder.name, since: 0).changed {
                lines.append("  \(message.uid) \(message.flags.imapNames) \(message.keywords) \(message.modSeq)")
            }
        }
        return lines
    }
}

/// Drives one session the way a connection does: each line goes through the real
/// ``IMAPCommandParser`` (UTF-8 names as the session says), each response through the real
/// ``IMAPResponseEncoder``; a test reads the encoded lines as RFC transcripts show them.
struct IMAPSessionDriver {
    let session: IMAPSession
    let collector = IMAPSessionCollector()

    init(_ mailbox: any Mailbox, configuration: IMAPSession.Configuration = IMAPSession.Configuration()) {
        session = IMAPSession(mailbox: mailbox, configuration: configuration)
    }

    /// The responses to `line` (CRLF added), each encoded without its final CRLF.
    func run(_ line: String) async throws -> [String] {
        try await run(bytes: Array((line + "\r\n").utf8))
    }

    /// The responses to the command in `bytes` (literals included).
    func run(bytes: [UInt8]) async throws -> [String] {
        guard let command = await parse(bytes) else {
            Issue.record("the command did not parse")
            return []
        }
        try await session.handle(command, writer: collector)
        return await encoded(collector.take())
    }

    /// The command `bytes` parse to, nil when they do not.
    func parse(_ bytes: [UInt8]) async -> IMAPCommand? {
        var parser = IMAPCommandParser()
        parser.utf8MailboxNames = await session.utf8Enabled
        parser.append(bytes)
        var command: IMAPCommand?
        while let event = parser.next() {
            if case .command(let parsed) = event { command = parsed }
        }
        return command
    }

    /// An APPEND of `message` with a literal, as a client sends it.
    func append(_ message: [UInt8], to mailbox: String = "INBOX", flags: String? = nil, date: String? = nil, tag: String = "ap") async throws
        -> [String]
    {
        var line = "\(tag) APPEND \(mailbox)"
        if let flags { line += " (\(flags))" }
        if let date { line += " \"\(date)\"" }
        line += " {\(message.count)}\r\n"
        return try await run(bytes: Array(line.utf8) + message + Array("\r\n".utf8))
    }

    /// The pending updates, as IDLE would write them.
    func pendingUpdates() async throws -> [String] {
        try await session.writePendingUpdates(to: collector)
        return await encoded(collector.take())
    }

    private func encoded(_ responses: [IMAPResponse]) async -> [String] {
        let encoder = IMAPResponseEncoder(utf8: await session.utf8Enabled)
        return responses.map { response in
            var bytes = encoder.encode(response)
            if bytes.suffix(2) == [0x0d, 0x0a] { bytes.removeLast(2) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Messages the session tests append.
enum IMAPSessionMessages {
    static func message(_ number: Int, subject: String? = nil) -> [UInt8] {
        Array("From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: \(subject ?? "message \(number)")\r\nMessage-ID: <\(number)@example.org>\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\nBody of message \(number).\r\n".utf8)
    }
}
