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

    func mailbox(_ kind: Kind, _ messages: [[UInt8]]) async throws -> (IMAPFetchTestMailbox, IMAPSearchCountingMailbox) {
        let made = try IMAPFetchTestMailbox.empty(kind)
        for message in messages {
            try await made.mailbox.append(message, to: "INBOX", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1_704_067_200))
        }
        return (made, IMAPSearchCountingMailbox(made.mailbox))
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
}
