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

    @Test(arguments: Kind.allCases)
    func sevenBitCharsetsThatAreNotASCIIAreDecoded(kind: Kind) async throws {
        // ISO-2022-JP writes the fullwidth letters ＡＢＣ (JIS X 0208 0x2341...) as `ESC $ B #A#B#C
        // ESC ( B`: 7-bit bytes lacking "abc", while the decoded text folds (NFKD) to "abc".
        let iso2022 = Array("From: a@example.org\r\nContent-Type: text/plain;\r\n charset=\"ISO-2022-JP\"\r\n\r\nx ".utf8)
            + [0x1b, 0x24, 0x42, 0x23, 0x41, 0x23, 0x42, 0x23, 0x43, 0x1b, 0x28, 0x42] + Array(" y\r\n".utf8)
        // UTF-7: "+AGEAYgBj-" is "abc".
        let utf7 = Array("Content-Type: text/plain; charset=UTF-7\r\n\r\nx +AGEAYgBj- y\r\n".utf8)
        // An ASCII-transparent charset stays on the raw path and is still found or not found.
        let latin = Array("Content-Type: text/plain; charset=iso-8859-1\r\n\r\nx abc y\r\n".utf8)
        let plain = Array("Content-Type: text/plain; charset=us-ascii\r\n\r\nnothing here\r\n".utf8)
        let messages = [iso2022, utf7, latin, plain]
        #expect(try await search(messages, kind, "BODY abc") == [1, 2, 3])
        #expect(try await search(messages, kind, "TEXT ABC") == [1, 2, 3])
        #expect(try await search(messages, kind, "BODY nothing") == [4])
    }

    /// Many BODY/TEXT keys over encoded parts (each part is decoded and folded once per
    /// message and shared by the keys; pinned here by the answers only).
    @Test(arguments: Kind.allCases)
    func manyKeysOverEncodedPartsShareOneDecoding(kind: Kind) async throws {
        let words = (1...300).map { "word\($0)x" }
        let plain = words.joined(separator: " ") + " Café ﬁle"
        let base64 = Data(plain.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        let message = IMAPFetchCorpus.crlf(
            "Subject: many\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n\(base64)\n--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 latin\n--b--\n")
        let other = IMAPFetchCorpus.crlf("Subject: other\n\nword1x only\n")
        let all = words.map { "BODY \($0)" }.joined(separator: " ")
        #expect(try await search([message, other], kind, all) == [1])
        #expect(try await search([message, other], kind, all + " BODY cafe BODY FILE TEXT latin") == [1])
        #expect(try await search([message, other], kind, all + " BODY word301x") == [])
        #expect(try await search([message, other], kind, "BODY word1x NOT BODY word2x") == [2])
    }
}
