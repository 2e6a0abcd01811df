import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Hostile messages and requests for FETCH and SEARCH: partial origins beyond the size,
/// section numbers beyond the parts, 1,000 levels of nested MIME, NUL bytes, broken
/// encodings, empty messages. Each gets an answer (bytes, an empty string, or a typed
/// failure), never a crash, in bounded time.
@Suite struct IMAPFetchHostileTests {
    typealias Kind = IMAPFetchTestMailbox.Kind

    static func nestedMultipart(_ levels: Int) -> [UInt8] {
        var text = "Subject: deep\r\n"
        for level in 0..<levels { text += "Content-Type: multipart/mixed; boundary=n\(level)x\r\n\r\n--n\(level)x\r\n" }
        text += "Content-Type: text/plain\r\n\r\ninnermost needle\r\n"
        for level in (0..<levels).reversed() { text += "--n\(level)x--\r\n" }
        return Array(text.utf8)
    }

    static func nestedMessages(_ levels: Int) -> [UInt8] {
        Array((String(repeating: "Content-Type: message/rfc822\r\n\r\n", count: levels) + "Subject: core\r\n\r\nmessage needle\r\n").utf8)
    }

    static let messages: [[UInt8]] = [
        nestedMultipart(1000),
        nestedMessages(1000),
        [],
        Array("Subject: no line end".utf8),
        Array("Subj\0ect: n\0ul\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\0AAAA====AA=ZZ\r\n".utf8),
        Array("Subject: qp\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=\r\n=4=ZZ==\r\n=".utf8),
        Array(((0..<10_000).map { "X-Field-\($0): value \($0)\r\n" }.joined() + "\r\nbody\r\n").utf8),
        Array("\r\n\r\n\r\n".utf8),
    ]

    func mailbox(_ kind: Kind) async throws -> IMAPFetchTestMailbox {
        let made = try IMAPFetchTestMailbox.empty(kind)
        for message in Self.messages { try await made.mailbox.append(message, to: "INBOX") }
        return made
    }

    func items(_ box: IMAPFetchTestMailbox, _ attributes: [IMAPFetchAttribute], uid: UInt32) async throws -> Result<[IMAPFetchItem], IMAPFetchFailure> {
        let responder = IMAPFetchResponder(attributes: attributes)
        let message = try #require(try await box.mailbox.fetch(UIDSet([uid]), in: "INBOX", content: responder.contentNeeded).first)
        do { return .success(try responder.items(for: message)) } catch { return .failure(error) }
    }

    @Test(arguments: Kind.allCases)
    func everyItemOnEveryHostileMessage(kind: Kind) async throws {
        let box = try await mailbox(kind)
        let sections: [IMAPFetchAttribute] = [
            .envelope, .flags, .internalDate, .rfc822, .rfc822Header, .rfc822Size, .rfc822Text, .body, .bodyStructure, .uid, .modSeq,
            .bodySection(IMAPSection(), partial: nil, peek: true),
            .bodySection(IMAPSection(text: .headerFieldsNot(["X-Field-5"])), partial: nil, peek: true),
            .bodySection(IMAPSection(text: .headerFields(["subject", "x-field-9999"])), partial: nil, peek: true),
            .bodySection(IMAPSection(part: Array(repeating: 1, count: 10_000)), partial: nil, peek: true),
            .bodySection(IMAPSection(part: Array(repeating: 1, count: 60), text: .mime), partial: nil, peek: true),
            .bodySection(IMAPSection(part: [UInt32.max]), partial: nil, peek: true),
            .bodySection(IMAPSection(part: [0]), partial: nil, peek: true),
            .bodySection(IMAPSection(part: [1, 1, 1], text: .header), partial: nil, peek: true),
            .bodySection(IMAPSection(), partial: IMAPPartial(offset: UInt64.max, length: UInt64.max), peek: true),
            .bodySection(IMAPSection(), partial: IMAPPartial(offset: 3, length: UInt64.max), peek: true),
            .bodySection(IMAPSection(text: .text), partial: IMAPPartial(offset: UInt64.max - 1, length: 2), peek: true),
            .binary(part: [], partial: IMAPPartial(offset: UInt64.max, length: 10), peek: true),
            .binary(part: [1], partial: nil, peek: true), .binary(part: Array(repeating: 1, count: 10_000), partial: nil, peek: true),
            .binarySize(part: []), .binarySize(part: [1]), .binarySize(part: [UInt32.max, 1]),
        ]
        for uid in 1...UInt32(Self.messages.count) {
            for attribute in sections {
                switch try await items(box, [attribute], uid: uid) {
                case .success(let items): #expect(items.count == 1, "message \(uid) \(attribute)")
                case .failure(let failure): #expect(failure == .unknownTransferEncoding, "message \(uid) \(attribute)")
                }
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func answersForHostileMessages(kind: Kind) async throws {
        let box = try await mailbox(kind)
        // 1,000 nested multiparts: the structure stops describing at 50 levels; the part
        // path 1.1.1... reaches the deepest part described, and nothing beyond.
        let deepest = try await box.data("BODY.PEEK[\(Array(repeating: "1", count: 50).joined(separator: "."))]", uid: 1)
        #expect(deepest?.text.hasPrefix("--n50x\r\nContent-Type: multipart/mixed; boundary=n51x\r\n") == true)
        #expect(try await box.data("BODY.PEEK[\(Array(repeating: "1", count: 52).joined(separator: "."))]", uid: 1) == [])
        // Origins beyond the size: empty strings with the origin.
        #expect(try await items(box, [.bodySection(IMAPSection(), partial: IMAPPartial(offset: UInt64.max, length: 5), peek: true)], uid: 3).get()
            == [.bodySection(IMAPSection(), origin: UInt64.max, data: [])])
        // The empty message: empty sections, HEADER.FIELDS is the blank line.
        #expect(try await box.data("BODY.PEEK[]", uid: 3) == [])
        #expect(try await box.data("BODY.PEEK[HEADER.FIELDS (Subject)]", uid: 3) == [0x0d, 0x0a])
        // A header without a line end: the field gets one before the blank line.
        #expect(try await box.data("BODY.PEEK[HEADER.FIELDS (Subject)]", uid: 4) == Array("Subject: no line end\r\n\r\n".utf8))
        #expect(try await box.data("BODY.PEEK[HEADER.FIELDS.NOT (X)]", uid: 4) == Array("Subject: no line end".utf8))
        // NUL bytes pass through as stored; BINARY of broken base64 decodes what it can.
        #expect(try await box.data("BODY.PEEK[]", uid: 5) == Self.messages[4])
        let binary = try #require(try await box.data("BINARY.PEEK[1]", uid: 5))
        #expect(binary.contains(0))
        // 10,000 fields: HEADER.FIELDS.NOT drops one.
        let header = try #require(try await box.data("BODY.PEEK[HEADER.FIELDS.NOT (X-Field-5)]", uid: 7))
        #expect(!header.text.contains("X-Field-5:") && header.text.contains("X-Field-9999: value 9999\r\n\r\n"))
    }

    @Test(arguments: Kind.allCases)
    func searchesOverHostileMessages(kind: Kind) async throws {
        let box = try await mailbox(kind)
        // The walk stops where the structure stops (50 levels): deeper text is not searched.
        #expect(try await box.search("BODY needle") == [])
        #expect(try await box.search("TEXT core") == [])
        #expect(try await box.search("TEXT deep") == [1])
        #expect(try await box.search("BODY \"\"") == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try await box.search("HEADER subject \"\"") == [1, 4, 6])
        #expect(try await box.search("TEXT \"value 9999\"") == [7])
        #expect(try await box.search("TEXT body") == [7])
        #expect(try await box.search("SENTBEFORE 1-Jan-1971") == [1, 2, 3, 4, 5, 6, 7, 8])
    }
}
