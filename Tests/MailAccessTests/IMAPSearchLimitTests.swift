import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// What one SEARCH may make the server hold and do (a cold review's findings), counted
/// through a mailbox that records what the evaluator reads, never timed.
@Suite struct IMAPSearchLimitTests {
    typealias Kind = IMAPFetchTestMailbox.Kind

    /// A message of about `size` stored bytes whose body holds `word`.
    static func message(_ number: Int, size: Int, word: String) -> [UInt8] {
        let head = "Subject: message \(number)\r\n\r\n\(word)\r\n"
        let line = "filler text for the batch budget\r\n"
        return Array((head + String(repeating: line, count: max(0, size - head.utf8.count) / line.utf8.count)).utf8)
    }

    func mailbox(_ kind: Kind, _ messages: [[UInt8]]) async throws -> (IMAPFetchTestMailbox, IMAPCountingMailbox) {
        let made = try IMAPFetchTestMailbox.empty(kind)
        for message in messages {
            try await made.mailbox.append(message, to: "INBOX", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1_704_067_200))
        }
        return (made, IMAPCountingMailbox(made.mailbox))
    }

    func search(_ mailbox: any Mailbox, _ keys: String, uids: [UInt32], saved: [UInt32]? = nil, configuration: IMAPSearchEvaluator.Configuration = .init())
        async throws -> [UInt32]
    {
        let command = try #require(IMAPFetchTestMailbox.search(keys), "\(keys) does not parse")
        var evaluator = IMAPSearchEvaluator(mailbox: mailbox, folder: "INBOX", uids: uids, savedResult: saved)
        evaluator.configuration = configuration
        return try await evaluator.matchingUIDs(command)
    }

    @Test(arguments: Kind.allCases)
    func contentBatchesStayWithinTheByteBudget(kind: Kind) async throws {
        // Twelve messages of ~10,000 bytes, every third holding the word; one of 60,000.
        var messages = (1...12).map { Self.message($0, size: 10_000, word: $0 % 3 == 0 ? "needle" : "hay") }
        messages.append(Self.message(13, size: 60_000, word: "needle"))
        let (box, counting) = try await mailbox(kind, messages)
        var configuration = IMAPSearchEvaluator.Configuration()
        configuration.batchByteBudget = 25_000
        let found = try await search(counting, "BODY needle", uids: Array(1...13), configuration: configuration)
        #expect(found == [3, 6, 9, 12, 13])
        let counts = counting.counts
        // No batch of the small messages passes the budget; the large one comes alone.
        #expect(counts.largestContentFetch == messages[12].count)
        #expect(counts.contentFetches >= 7)
        // Without the large message, every content fetch stays within the budget.
        let (_, small) = try await mailbox(kind, Array(messages.prefix(12)))
        #expect(try await search(small, "TEXT needle", uids: Array(1...12), configuration: configuration) == [3, 6, 9, 12])
        #expect(small.counts.largestContentFetch <= 25_000)
        #expect(small.counts.contentFetches >= 6)
        _ = box
    }

    /// UID and sequence-set keys the matcher resolves (under OR with a BODY key, so the
    /// index does not answer them): sets of many single numbers out of order, `$`, `*`.
    /// (The CPU finding, one resolution per search instead of per message, is pinned by
    /// these answers only: no work counter reaches the matcher.)
    @Test(arguments: Kind.allCases)
    func largeSetsResolvedOnceAnswerAsTheRFCSays(kind: Kind) async throws {
        let messages = (1...40).map { Self.message($0, size: 200, word: $0 == 40 ? "needle" : "hay") }
        let (_, counting) = try await mailbox(kind, messages)
        let uids = Array(UInt32(1)...40)
        let odd = stride(from: 39, through: 1, by: -2).map(String.init).joined(separator: ",")
        #expect(try await search(counting, "OR UID \(odd) BODY needle", uids: uids) == stride(from: 1, through: 39, by: 2).map { UInt32($0) } + [40])
        #expect(try await search(counting, "NOT (OR UID \(odd) BODY needle)", uids: uids) == stride(from: 2, through: 38, by: 2).map { UInt32($0) })
        // `$` with far more UIDs than messages (and some the session lacks).
        let saved = (1...5_000).map { UInt32($0 * 3) }
        #expect(try await search(counting, "OR $ BODY needle", uids: uids, saved: saved) == (1...13).map { UInt32($0 * 3) } + [40])
        #expect(try await search(counting, "OR UID $ BODY needle", uids: uids, saved: saved) == (1...13).map { UInt32($0 * 3) } + [40])
        // Sequence numbers over a session missing some UIDs: MSN n is uids[n-1]; `*` the last.
        let sparse = uids.filter { $0 % 2 == 0 }
        #expect(try await search(counting, "OR 1,3,5:6,* BODY nothing", uids: sparse) == [2, 6, 10, 12, 40])
        #expect(try await search(counting, "OR UID 30:* BODY nothing", uids: sparse) == [30, 32, 34, 36, 38, 40])
    }
}
