import CommunityMailSQL
@testable import EncryptedMailbox
import Foundation
import Testing

/// Hostile queries, as text and as built values: a typed error past the limits, never a
/// stack overflow; queries at the limits search alike on SQLite and on the fake.
@Suite("Search query limits")
struct SearchQueryLimitTests {
    @Test("Deep or long query text is refused with invalidQuery, not a crash")
    func hostileText() {
        let hostile = [
            String(repeating: "NOT ", count: 4_000) + "a",
            String(repeating: "NOT ", count: 32_000) + "a",
            String(repeating: "(", count: 100_000),
            String(repeating: "(", count: 4_000) + "a" + String(repeating: ")", count: 4_000),
            String(repeating: "a ", count: SearchQuery.maximumSize + 1),
            String(repeating: "a OR ", count: SearchQuery.maximumSize) + "a",
        ]
        for text in hostile {
            #expect(throws: MailboxError.invalidQuery, "\(text.prefix(20))… (\(text.utf8.count) bytes)") { try SearchQuery(parsing: text) }
        }
        #expect(throws: MailboxError.invalidQuery) { try SearchQuery(parsing: "a" + String(repeating: " ", count: SearchQuery.maximumTextLength)) }
    }

    @Test("Text nests up to the limit and no further")
    func textDepth() throws {
        let deepest = try SearchQuery(parsing: String(repeating: "NOT ", count: SearchQuery.maximumDepth - 1) + "from:alice")
        #expect(deepest.depth == SearchQuery.maximumDepth)
        #expect(throws: MailboxError.invalidQuery) {
            try SearchQuery(parsing: String(repeating: "NOT ", count: SearchQuery.maximumDepth) + "from:alice")
        }
        let grouped = String(repeating: "(", count: SearchQuery.maximumDepth - 1) + "a" + String(repeating: ")", count: SearchQuery.maximumDepth - 1)
        #expect(try SearchQuery(parsing: grouped) == .text("a"))
    }

    @Test("A built query cannot nest past the limit or grow past the size limit")
    func builtValues() throws {
        // A caller folding NOT 100,000 times is stopped at the limit with a typed error.
        var query = SearchQuery.header(.from, "alice")
        var refusedAt: Int?
        for level in 2...100_000 {
            do { query = try .not(query) } catch {
                #expect(error == .invalidQuery)
                refusedAt = level
                break
            }
        }
        #expect(refusedAt == SearchQuery.maximumDepth + 1)
        #expect(query.depth == SearchQuery.maximumDepth)
        // Every combinator keeps the depth limit.
        #expect(throws: MailboxError.invalidQuery) { try SearchQuery.and([query]) }
        #expect(throws: MailboxError.invalidQuery) { try SearchQuery.or([.all, query]) }
        // Width: criteria and empty combinations both count.
        let leaves = Array(repeating: SearchQuery.text("a"), count: SearchQuery.maximumSize)
        #expect(throws: MailboxError.invalidQuery) { try SearchQuery.and(leaves) }
        #expect(try SearchQuery.and(Array(leaves.dropFirst())).size == SearchQuery.maximumSize)
        let empties = Array(repeating: try SearchQuery.or([]), count: SearchQuery.maximumSize)
        #expect(throws: MailboxError.invalidQuery) { try SearchQuery.or(empties) }
        // Sizes add up through the tree, so wide parts cannot be stacked past the limit.
        let half = try SearchQuery.and(Array(leaves.prefix(SearchQuery.maximumSize / 2)))
        #expect(throws: MailboxError.invalidQuery) { try SearchQuery.or([half, half]) }
        // Queries at the limit compare and hash as values.
        #expect(query == query && Set([query, query]).count == 1)
    }

    @Test("Queries at the limits search alike on every mailbox", arguments: MailboxFactory.all)
    func atTheLimits(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for index in 1...4 {
            try await mailbox.append(
                Samples.message(subject: "note \(index)", from: index.isMultiple(of: 2) ? "Bob <bob@example.org>" : "Alice <alice@example.org>",
                    extraHeaders: "X-Index: \(index)\r\n"),
                to: "INBOX")
        }
        // As deep as allowed, with the criteria whose SQL nests most at the bottom.
        var deepest = try SearchQuery.or([.text("alice"), try .not(.headerField("x-index", "4"))])
        while deepest.depth + 2 < SearchQuery.maximumDepth {
            deepest = try .and([.all, try .or([try .not(.all), deepest])])
        }
        deepest = try .not(deepest)
        #expect(deepest.depth == SearchQuery.maximumDepth)
        #expect(try await mailbox.search(deepest, in: "INBOX") == [4])
        #expect(try await mailbox.search(try SearchQuery(parsing: String(repeating: "NOT ", count: 14) + "from:bob"), in: "INBOX") == [2, 4])

        // As large as allowed: an AND of text criteria.
        let widest = try SearchQuery.and(Array(repeating: SearchQuery.text("note"), count: SearchQuery.maximumSize - 1))
        #expect(try await mailbox.search(widest, in: "INBOX") == [1, 2, 3, 4])

        // A UID set of many ranges is one criterion, and searches as one.
        let odd = UIDSet(stride(from: UInt32(1), through: 20_001, by: 2))
        #expect(odd.ranges.count == 10_001)
        #expect(try await mailbox.search(.uids(odd), in: "INBOX") == [1, 3])
        #expect(try await mailbox.search(try .not(.uids(odd)), in: "INBOX") == [2, 4])
    }
}

/// A UID set of more than 16 ranges is searched once, each range through the
/// (folder_id, uid) index, not once per message (which cost messages x ranges).
struct SearchPlanTests {
    @Test func longUIDSetUsesTheIndexOnce() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.migrate(MailboxSchema.migrations)
        let set = UIDSet(stride(from: UInt32(1), through: 2_001, by: 2))
        for query in [SearchQuery.uids(set), try .not(.uids(set))] {
            let (sql, bindings) = SQLiteMailbox.searchStatement(query, folderID: 1, largest: 5_000)
            let plan = try connection.query("EXPLAIN QUERY PLAN " + sql, bindings).compactMap { $0[3].textValue }
            #expect(!plan.contains { $0.contains("CORRELATED") }, "\(plan)")
            #expect(plan.contains { $0.contains("SEARCH u USING") && $0.contains("uid>? AND uid<?") }, "\(plan)")
        }
    }
}
