import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// A mailbox holding ``IMAPFetchCorpus`` in INBOX, of either implementation, and what must
/// live as long as it.
final class IMAPFetchTestMailbox: Sendable {
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case inMemory = "InMemoryMailbox"
        case encrypted = "SQLiteMailbox (encrypted)"
        var testDescription: String { rawValue }
    }

    let mailbox: any Mailbox
    let directory: TemporaryDirectory?

    private init(mailbox: any Mailbox, directory: TemporaryDirectory?) {
        self.mailbox = mailbox
        self.directory = directory
    }

    /// An empty mailbox of `kind`.
    static func empty(_ kind: Kind) throws -> IMAPFetchTestMailbox {
        switch kind {
        case .inMemory:
            return IMAPFetchTestMailbox(mailbox: InMemoryMailbox(), directory: nil)
        case .encrypted:
            let directory = try TemporaryDirectory(prefix: "imap-fetch")
            var configuration = MailboxStore.Configuration()
            // Few KDF iterations: the suite opens many files.
            configuration.opener = .encrypted(kdfIterations: 1000)
            let store = try MailboxStore(directory: directory.url, configuration: configuration)
            return IMAPFetchTestMailbox(mailbox: try store.create(userID: "alice", passphrase: "correct horse"), directory: directory)
        }
    }

    /// A mailbox of `kind` with the corpus appended in order (UID n is entry n-1).
    static func corpus(_ kind: Kind) async throws -> IMAPFetchTestMailbox {
        let made = try empty(kind)
        for entry in IMAPFetchCorpus.entries {
            try await made.mailbox.append(
                entry.bytes, to: "INBOX", flags: entry.flags, keywords: entry.keywords,
                internalDate: Date(timeIntervalSince1970: TimeInterval(entry.internalDate)))
        }
        return made
    }

    /// The attributes of `FETCH 1 (items)` as the parser reads them.
    static func attributes(_ items: String) -> [IMAPFetchAttribute]? {
        guard case .fetch(_, let attributes, _, _)? = IMAPTestHelpers.command("a FETCH 1 (\(items))")?.kind else { return nil }
        return attributes
    }

    /// The SEARCH command `UID SEARCH keys` as the parser reads it.
    static func search(_ keys: String) -> IMAPSearchCommand? {
        guard case .search(let search, _)? = IMAPTestHelpers.command("a UID SEARCH \(keys)")?.kind else { return nil }
        return search
    }

    /// Our FETCH items for message `uid` and `items`.
    func items(
        _ items: String, uid: UInt32, configuration: IMAPFetchResponder.Configuration = .init()
    ) async throws -> Result<[IMAPFetchItem], IMAPFetchFailure> {
        let attributes = try #require(Self.attributes(items), "FETCH (\(items)) does not parse")
        let responder = IMAPFetchResponder(attributes: attributes, configuration: configuration)
        let fetched = try await mailbox.fetch(UIDSet([uid]), in: "INBOX", content: responder.contentNeeded)
        let message = try #require(fetched.first, "no message \(uid)")
        do {
            return .success(try responder.items(for: message))
        } catch {
            return .failure(error)
        }
    }

    /// The bytes of the one data item of `FETCH (item)`.
    func data(_ item: String, uid: UInt32) async throws -> [UInt8]? {
        let items = try await items(item, uid: uid).get()
        try #require(items.count == 1)
        switch items[0] {
        case .bodySection(_, _, let data), .rfc822(let data), .rfc822Header(let data), .rfc822Text(let data), .binary(_, _, let data):
            return data
        default:
            return nil
        }
    }

    /// All UIDs of INBOX.
    func uids() async throws -> [UInt32] {
        try await mailbox.fetch(.all, in: "INBOX", content: .metadata).map(\.uid)
    }

    /// Our UID SEARCH answer for `keys` (every message in the session's sequence).
    func search(_ keys: String, recent: Set<UInt32> = []) async throws -> [UInt32] {
        let command = try #require(Self.search(keys), "SEARCH \(keys) does not parse")
        var evaluator = IMAPSearchEvaluator(mailbox: mailbox, folder: "INBOX", uids: try await uids(), savedResult: nil)
        evaluator.recentUIDs = recent
        return try await evaluator.matchingUIDs(command)
    }
}

extension [UInt8] {
    /// The bytes as text, for failure messages.
    var text: String { String(decoding: self, as: UTF8.self) }
}
