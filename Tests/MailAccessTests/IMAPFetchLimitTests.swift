import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// What one FETCH may make the server build (a cold review's findings): the number of
/// body-section items, the section bytes of one message (identical sections built once),
/// and RFC822.SIZE counted as BODY[] is sent.
@Suite struct IMAPFetchLimitTests {
    typealias Kind = IMAPFetchTestMailbox.Kind

    func mailbox(_ kind: Kind, _ messages: [[UInt8]]) async throws -> IMAPFetchTestMailbox {
        let made = try IMAPFetchTestMailbox.empty(kind)
        for message in messages {
            try await made.mailbox.append(message, to: "INBOX", flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1_704_067_200))
        }
        return made
    }

    /// A bare-LF message whose body is `bodyLines` lines of 9 octets (10 on the wire).
    static func message(bodyLines: Int) -> [UInt8] {
        Array("From: a@example.org\nSubject: big\n\n".utf8) + Array(repeating: Array("01234567\n".utf8), count: bodyLines).flatMap { $0 }
    }

    @Test(arguments: Kind.allCases)
    func sectionItemsPerFetchAreCapped(kind: Kind) async throws {
        let box = try await mailbox(kind, [Self.message(bodyLines: 10)])
        let allowed = Array(repeating: "BODY.PEEK[TEXT]", count: 64).joined(separator: " ")
        #expect(try await box.items(allowed, uid: 1).get().count == 64)
        // One more section item (of any kind) is refused with NO [LIMIT] before anything is built.
        for extra in ["BINARY.PEEK[]", "BINARY.SIZE[1]", "RFC822.HEADER", "BODY.PEEK[1]<0.1>"] {
            let result = try await box.items(allowed + " " + extra, uid: 1)
            #expect(throws: IMAPFetchFailure.sectionLimit) { try result.get() }
            #expect(IMAPFetchFailure.sectionLimit.responseCode == .limit)
        }
        // Items that build no section do not count.
        #expect(try await box.items(allowed + " FLAGS UID RFC822.SIZE INTERNALDATE", uid: 1).get().count == 68)
    }

    @Test(arguments: Kind.allCases)
    func identicalSectionsAreBuiltOnceAndDistinctOnesWithinTheBudget(kind: Kind) async throws {
        // The text is 1,000 octets on the wire (bare LF made CRLF: a copy per section).
        let box = try await mailbox(kind, [Self.message(bodyLines: 100)])
        var configuration = IMAPFetchResponder.Configuration()
        configuration.maximumSectionBytesPerMessage = 2_500
        // Ten times the same section: one build, shared by the items.
        let repeated = try await box.items(Array(repeating: "BODY.PEEK[TEXT]", count: 10).joined(separator: " "), uid: 1, configuration: configuration).get()
        #expect(repeated.count == 10)
        var addresses = Set<Int>()
        for item in repeated {
            guard case .bodySection(_, _, let data?) = item else { Issue.record("not a section"); continue }
            #expect(data.count == 1_000)
            _ = data.withUnsafeBufferPointer { addresses.insert(Int(bitPattern: $0.baseAddress)) }
        }
        #expect(addresses.count == 1)
        // Two distinct 1,000-octet sections fit; a third passes the budget: NO [LIMIT].
        #expect(try await box.items("BODY.PEEK[TEXT] BODY.PEEK[TEXT]<1.1000>", uid: 1, configuration: configuration).get().count == 2)
        let three = try await box.items("BODY.PEEK[TEXT] BODY.PEEK[TEXT]<1.1000> BINARY.PEEK[1]", uid: 1, configuration: configuration)
        #expect(throws: IMAPFetchFailure.sectionLimit) { try three.get() }
        // BINARY.SIZE reuses the BINARY it measures.
        let binary = try await box.items("BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[TEXT]", uid: 1, configuration: configuration).get()
        #expect(binary.count == 3)
    }

    /// At most 10,000 entities per message, the message itself included (Dovecot's
    /// max_total_mime_parts): the part at which the budget runs out holds the rest of the
    /// multipart's body as one leaf, later part numbers are missing.
    @Test(arguments: Kind.allCases)
    func partsPerMessageAreCapped(kind: Kind) async throws {
        var text = "Content-Type: multipart/mixed; boundary=a\n\n"
        for number in 1...12_000 { text += "--a\n\npart \(number)\n" }
        text += "--a--\n"
        let box = try await mailbox(kind, [Array(text.utf8)])
        func body(_ section: String) async throws -> String? {
            try await box.data("BODY.PEEK[\(section)]", uid: 1).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(try await body("1") == "part 1")
        #expect(try await body("9998") == "part 9998")
        let rest = try #require(try await body("9999"))
        #expect(rest.hasPrefix("part 9999\r\n--a\r\n\r\npart 10000\r\n"))
        #expect(rest.hasSuffix("part 12000\r\n--a--\r\n"))
        #expect(try await body("10000") == "")
        #expect(try await body("10001") == "")
        #expect(try await body("12000") == "")
        // Search reads the rest as the text it is.
        let command = try #require(IMAPFetchTestMailbox.search("BODY \"part 11999\""))
        let evaluator = IMAPSearchEvaluator(mailbox: box.mailbox, folder: "INBOX", uids: [1], savedResult: nil)
        #expect(try await evaluator.matchingUIDs(command) == [1])
    }

    /// RFC 9051 section 2.3.1 / 7.5.2: RFC822.SIZE is the size of the message in CRLF form,
    /// the length BODY[] has on the wire. With the content at hand (fetched alongside
    /// BODY[] or BODYSTRUCTURE) a bare-LF message's size counts each LF as CRLF.
    @Test(arguments: Kind.allCases)
    func rfc822SizeIsTheLengthOfBodyWhenTheContentIsAtHand(kind: Kind) async throws {
        let bare = Self.message(bodyLines: 10)
        let box = try await mailbox(kind, [bare])
        let items = try await box.items("RFC822.SIZE BODY.PEEK[]", uid: 1).get()
        guard items.count == 2, case .rfc822Size(let size) = items[0], case .bodySection(_, _, let data?) = items[1] else {
            Issue.record("unexpected items \(items)")
            return
        }
        #expect(size == UInt64(data.count))
        #expect(size == UInt64(bare.count + bare.filter { $0 == 0x0a }.count))
        let withStructure = try await box.items("BODYSTRUCTURE RFC822.SIZE", uid: 1).get()
        #expect(withStructure.last == .rfc822Size(size))
    }

    /// A FETCH with more body-section items than allowed is refused (NO [LIMIT]) before
    /// the mailbox is asked for anything: no message read, no CONDSTORE enabled by its
    /// MODSEQ item, no \Seen set by its non-PEEK items.
    @Test func tooManySectionItemsAreRefusedBeforeTheMailboxIsRead() async throws {
        let base = InMemoryMailbox()
        try await base.append(Self.message(bodyLines: 3), to: "INBOX")
        let counting = IMAPCountingMailbox(base)
        let driver = IMAPSessionDriver(counting)
        _ = try await driver.run("s SELECT INBOX")
        let items = Array(repeating: "BODY[TEXT]", count: 65).joined(separator: " ")
        let refused = try await driver.run("f FETCH 1:* (MODSEQ \(items))")
        #expect(refused.last?.hasPrefix("f NO [LIMIT]") == true, "\(refused)")
        #expect(!refused.contains { $0.hasPrefix("* ") }, "\(refused)")
        #expect(counting.counts.contentFetches == 0)
        #expect(try await base.fetch(.all, in: "INBOX", content: .metadata).first?.flags == [])
        // 64 are answered, through one content fetch.
        let allowed = Array(repeating: "BODY.PEEK[TEXT]", count: 64).joined(separator: " ")
        let answered = try await driver.run("g FETCH 1 (\(allowed))")
        #expect(answered.last?.hasPrefix("g OK") == true, "\(answered.last ?? "")")
        #expect(counting.counts.contentFetches == 1)
    }
}
