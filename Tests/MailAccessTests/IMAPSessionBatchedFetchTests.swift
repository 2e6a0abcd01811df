import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

@testable import MailAccess

/// FETCH of message content over many batches: the session reads the next batch while it
/// answers the current one (`fetchReadAheadBytes`) and hands responses to the writer in
/// runs. Whatever the batching, the client must get each message once, in order, in CRLF
/// form (RFC 9051 section 2.3.1), with `\Seen` set by BODY[] (section 6.4.5) and
/// expunged messages left out with `OK [EXPUNGEISSUED]` (section 7.1).
@Suite("IMAP session: FETCH of content over batches read ahead", .timeLimit(.minutes(2)))
struct IMAPSessionBatchedFetchTests {
    static let count = 23

    /// Message `number`; every third one stored with bare LF line ends, and sizes varied.
    static func stored(_ number: Int) -> [UInt8] {
        let body = String(repeating: "Line \(number) of the body, long enough to matter.\r\n", count: 1 + number * 7)
        let text = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: batch \(number)\r\nMessage-ID: <b\(number)@example.org>\r\n\r\n" + body
        return Array((number % 3 == 0 ? text.replacingOccurrences(of: "\r\n", with: "\n") : text).utf8)
    }

    /// `bytes` in CRLF form, as RFC 9051 section 2.3.1 has message data on the wire.
    static func wire(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0a, previous != 0x0d { output.append(0x0d) }
            output.append(byte)
            previous = byte
        }
        return output
    }

    /// A mailbox holding the `count` messages (none `\Seen`, none `\Recent` any more).
    static func mailbox(_ kind: IMAPSessionMailboxKind) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make()
        _ = try await fixture.mailbox.append(
            contentsOf: (1...count).map { MessageToAppend(stored($0), internalDate: Date(timeIntervalSince1970: 1_700_000_000)) }, to: "INBOX")
        _ = try await fixture.mailbox.claimAllRecent(in: "INBOX")
        return fixture
    }

    /// A session reading `batchSize` messages (and at most `batchBytes` octets) per batch,
    /// reading ahead or not.
    static func session(
        _ mailbox: any Mailbox, batchSize: Int, batchBytes: Int = 32 << 20, readAhead: Bool
    ) -> IMAPSessionDriver {
        var configuration = IMAPSession.Configuration()
        configuration.fetchBatchSize = batchSize
        configuration.fetchBatchBytes = batchBytes
        if !readAhead { configuration.fetchReadAheadBytes = 0 }
        return IMAPSessionDriver(mailbox, configuration: configuration)
    }

    /// The line `* n FETCH (UID n BODY[] {size}` CRLF bytes `)` for message `n` (UIDs are the
    /// sequence numbers here), with `trailer` before the closing parenthesis.
    static func expectedLine(_ number: Int, trailer: String = "") -> String {
        let data = wire(stored(number))
        return "* \(number) FETCH (UID \(number) BODY[] {\(data.count)}\r\n" + String(decoding: data, as: UTF8.self) + trailer + ")"
    }

    @Test(
        "FETCH 1:* (UID BODY.PEEK[]) over batches of 1, 4 and 128, read ahead or not: each message once, in order, in CRLF form",
        arguments: IMAPSessionMailboxKind.allCases)
    func peekOverBatches(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let expected = (1...Self.count).map { Self.expectedLine($0) } + ["b OK FETCH completed"]
        for (batchSize, readAhead) in [(1, true), (4, true), (4, false), (128, true), (128, false)] {
            let driver = Self.session(fixture.mailbox, batchSize: batchSize, readAhead: readAhead)
            _ = try await driver.run("a SELECT INBOX")
            let lines = try await driver.run("b FETCH 1:* (UID BODY.PEEK[])")
            #expect(lines == expected, "batch \(batchSize), read ahead \(readAhead)")
        }
        // PEEK set nothing.
        #expect(try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.allSatisfy { !$0.flags.contains(.seen) })
    }

    @Test(
        "A batch holds at most fetchBatchBytes (counted in RFC 5322 form), a larger message alone; the answer is the same",
        arguments: IMAPSessionMailboxKind.allCases)
    func batchesAreBoundedByOctets(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let sizes = (1...Self.count).map { Self.wire(Self.stored($0)).count }
        let expected = (1...Self.count).map { Self.expectedLine($0) } + ["b OK FETCH completed"]
        // Messages 1 to 6 fit in pairs or threes; from about the eighth on each is alone.
        let budget = 4_000
        for readAhead in [true, false] {
            let counting = IMAPCountingMailbox(fixture.mailbox)
            let driver = Self.session(counting, batchSize: 128, batchBytes: budget, readAhead: readAhead)
            _ = try await driver.run("a SELECT INBOX")
            #expect(try await driver.run("b FETCH 1:* (UID BODY.PEEK[])") == expected)
            let reads = counting.counts.contentReads
            #expect(reads.reduce(0) { $0 + $1.messages } == Self.count)
            #expect(reads.allSatisfy { $0.messages == 1 || $0.bytes <= budget }, "\(reads)")
            #expect(reads.contains { $0.messages > 1 }, "\(reads)")
            // Each batch is as full as the budget allows: the next message would not have fit.
            var first = 0
            for read in reads.dropLast() {
                let next = first + read.messages
                #expect(sizes[first..<next].reduce(0, +) <= budget || read.messages == 1)
                #expect(sizes[first...next].reduce(0, +) > budget || read.messages == 128, "\(reads)")
                first = next
            }
        }
    }

    /// Messages that are nearly all header (up to 6 KB of it) over a small body of 20 KB:
    /// a FETCH of headers only is bounded by the headers' octets, not left to the count.
    @Test(
        "A FETCH of headers only is bounded by fetchBatchBytes too, counting each header's length where the mailbox knows it",
        arguments: IMAPSessionMailboxKind.allCases)
    func headerBatchesAreBoundedByOctets(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        let messages = (1...12).map { number in
            let padding = String(repeating: "X-Pad: \(String(repeating: "p", count: 90))\r\n", count: number * 5)
            return Array("Subject: padded \(number)\r\n\(padding)\r\n\(String(repeating: "b", count: 20_000))\r\n".utf8)
        }
        _ = try await fixture.mailbox.append(contentsOf: messages.map { MessageToAppend($0) }, to: "INBOX")
        let unbounded = Self.session(fixture.mailbox, batchSize: 128, readAhead: true)
        _ = try await unbounded.run("a SELECT INBOX")
        let expected = try await unbounded.run("b FETCH 1:* (UID BODY.PEEK[HEADER])")
        #expect(expected.count == messages.count + 1 && expected.last == "b OK FETCH completed", "\(expected.suffix(1))")
        let budget = 8_000
        let counting = IMAPCountingMailbox(fixture.mailbox)
        let driver = Self.session(counting, batchSize: 128, batchBytes: budget, readAhead: true)
        _ = try await driver.run("a SELECT INBOX")
        #expect(try await driver.run("b FETCH 1:* (UID BODY.PEEK[HEADER])") == expected)
        let reads = counting.counts.contentReads
        #expect(reads.reduce(0) { $0 + $1.messages } == messages.count)
        #expect(reads.allSatisfy { $0.messages == 1 || $0.bytes <= budget }, "\(reads)")
        if kind == .encryptedSQLite {
            // Each header's own length counts, not its 20 KB body: several headers per read.
            #expect(reads.contains { $0.messages > 1 }, "\(reads)")
        }
    }

    @Test(
        "FETCH 1:* (UID BODY[]) over batches read ahead sets \\Seen on every message and reports it in each response",
        arguments: IMAPSessionMailboxKind.allCases)
    func bodySetsSeenOverBatches(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let driver = Self.session(fixture.mailbox, batchSize: 5, readAhead: true)
        _ = try await driver.run("a SELECT INBOX")
        let lines = try await driver.run("b FETCH 1:* (UID BODY[])")
        #expect(lines == (1...Self.count).map { Self.expectedLine($0, trailer: " FLAGS (\\Seen)") } + ["b OK FETCH completed"])
        let recorded = try await fixture.mailbox.changes(in: "INBOX", since: 0).changed
        #expect(recorded.count == Self.count)
        #expect(recorded.allSatisfy { $0.flags.contains(.seen) })
    }

    @Test(
        "Messages expunged elsewhere in a batch not yet read are left out; the FETCH ends OK [EXPUNGEISSUED]",
        arguments: IMAPSessionMailboxKind.allCases)
    func expungedInALaterBatch(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind)
        let driver = Self.session(fixture.mailbox, batchSize: 4, readAhead: true)
        _ = try await driver.run("a SELECT INBOX")
        let gone: Set<Int> = [2, 9, 10, 23]
        _ = try await fixture.mailbox.store(.add(.deleted), on: UIDSet(gone.map { UInt32($0) }), in: "INBOX")
        #expect(Set(try await fixture.mailbox.expunge("INBOX").map { Int($0) }) == gone)
        // Unsolicited FLAGS updates of the expunged messages may follow the command's own
        // responses; only those carrying BODY[] and the tagged reply are the command's.
        let lines = try await driver.run("b FETCH 1:* (UID BODY.PEEK[])").filter { $0.contains(" BODY[] ") || $0.hasPrefix("b ") }
        let kept = (1...Self.count).filter { !gone.contains($0) }
        #expect(lines == kept.map { Self.expectedLine($0) } + ["b OK [EXPUNGEISSUED] Some messages were expunged"])
    }

    @Test(
        "A FETCH that fails at a message (BINARY of an unknown transfer encoding) still sends the responses before it, then NO [UNKNOWN-CTE]",
        arguments: IMAPSessionMailboxKind.allCases)
    func failureMidwaySendsEarlierResponses(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        // The bad message sits in the middle of one batch of 8: the six before it are still
        // gathered in that batch when it fails, and the one after it is never answered.
        var messages = (1...6).map { MessageToAppend(Self.stored($0)) }
        messages.append(
            MessageToAppend(Array("Subject: odd\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nbody\r\n".utf8)))
        messages.append(MessageToAppend(Self.stored(8)))
        _ = try await fixture.mailbox.append(contentsOf: messages, to: "INBOX")
        let driver = Self.session(fixture.mailbox, batchSize: 8, readAhead: true)
        _ = try await driver.run("a SELECT INBOX")
        let lines = try await driver.run("b FETCH 1:8 (UID BINARY.PEEK[1])")
        #expect(lines.count == 7)
        for number in 1...6 {
            #expect(lines[number - 1].hasPrefix("* \(number) FETCH (UID \(number) BINARY[1] {"))
        }
        #expect(!lines.contains { $0.hasPrefix("* 8 FETCH") })
        #expect(lines.last?.hasPrefix("b NO [UNKNOWN-CTE]") == true)
    }

    @Test("The bare-LF test of section data: LFs at either end, after a CR of the previous piece, in a slice of a larger array")
    func bareLFDetection() {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        #expect(!IMAPSectionWriter.hasBareLF([][...], after: 0))
        #expect(!IMAPSectionWriter.hasBareLF(bytes("no line end")[...], after: 0))
        #expect(!IMAPSectionWriter.hasBareLF(bytes("a\r\nb\r\n")[...], after: 0))
        #expect(IMAPSectionWriter.hasBareLF(bytes("a\r\nb\n")[...], after: 0))
        #expect(IMAPSectionWriter.hasBareLF(bytes("\nabc")[...], after: 0))
        #expect(!IMAPSectionWriter.hasBareLF(bytes("\nabc")[...], after: 0x0d))
        #expect(IMAPSectionWriter.hasBareLF(bytes("\r\r\n\n")[...], after: 0))
        let whole = bytes("x\nab\r\ncd\r\n")
        #expect(IMAPSectionWriter.hasBareLF(whole[...], after: 0))
        #expect(!IMAPSectionWriter.hasBareLF(whole[2...], after: 0))
        #expect(IMAPSectionWriter.hasBareLF(whole[5...], after: 0))  // its first LF follows no CR within the slice
        #expect(!IMAPSectionWriter.hasBareLF(whole[5...], after: 0x0d))
        #expect(IMAPSectionWriter.wire(bytes("a\nb\r\nc\n"), partial: nil) == bytes("a\r\nb\r\nc\r\n"))
        #expect(IMAPSectionWriter.wire(bytes("a\r\nb\r\n"), partial: nil) == bytes("a\r\nb\r\n"))
    }
}
