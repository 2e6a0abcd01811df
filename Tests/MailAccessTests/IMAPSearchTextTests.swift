import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// BODY and TEXT matching where a shortcut on the stored bytes could miss what decoding
/// shows (a cold review's findings), over both mailboxes.
@Suite struct IMAPSearchTextTests {
    typealias Kind = IMAPFetchTestMailbox.Kind

    func search(_ messages: [[UInt8]], _ kind: Kind, _ keys: String) async throws -> [UInt32] {
        let box = try IMAPFetchTestMailbox.empty(kind)
        for message in messages {
            try await box.mailbox.append(message, to: "INBOX", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1_704_067_200))
        }
        let command = try #require(IMAPFetchTestMailbox.search(keys), "\(keys) does not parse")
        let evaluator = IMAPSearchEvaluator(mailbox: box.mailbox, folder: "INBOX", uids: try await box.uids(), savedResult: nil)
        return try await evaluator.matchingUIDs(command)
    }

    @Test(arguments: Kind.allCases)
    func textMatchesNameColonValueAcrossSpaceBeforeTheColon(kind: Kind) async throws {
        // RFC 5322 obsolete syntax allows space before the colon; TEXT sees `Subject: value`.
        let messages = [
            IMAPFetchCorpus.crlf("Subject :x\nFrom: a@example.org\n\nbody\n"),
            IMAPFetchCorpus.crlf("Subject: y\n\nbody\n"),
            IMAPFetchCorpus.crlf("X-Other: z\n\nbody\n"),
        ]
        #expect(try await search(messages, kind, "TEXT subject:") == [1, 2])
        #expect(try await search(messages, kind, "TEXT x-other:") == [3])
    }
}
