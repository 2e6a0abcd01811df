import CommunityMailMessage
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Seeded mutations of ``IMAPFetchCorpus`` (bit flips, boundary bytes, insertions,
/// deletions, truncations, splices; a quarter random bytes) through every FETCH section
/// form and the content-reading SEARCH keys: every message gets an answer, and the answers
/// keep the RFC's invariants (a partial is the window of the whole, BINARY.SIZE is the
/// length of BINARY, HEADER.FIELDS ends with a blank line, RFC822 is BODY[]).
@Suite struct IMAPFetchFuzzTests {
    static let sections = [
        "BODY.PEEK[]", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[HEADER.FIELDS (Subject Content-Type)]",
        "BODY.PEEK[HEADER.FIELDS.NOT (Subject)]", "BODY.PEEK[1]", "BODY.PEEK[2]", "BODY.PEEK[1.MIME]", "BODY.PEEK[2.1]",
        "BODY.PEEK[2.HEADER]", "BODY.PEEK[2.TEXT]", "BODY.PEEK[1.1.1]", "BINARY.PEEK[]", "BINARY.PEEK[1]", "BINARY.PEEK[2]",
        "BINARY.SIZE[1]", "RFC822", "ENVELOPE", "BODYSTRUCTURE",
    ]

    @Test func mutatedMessages() async throws {
        var mutator = ByteMutator(seeds: IMAPFetchCorpus.entries.map(\.bytes), seed: 0x1AB5_F37C)
        let attributes = try Self.sections.map { try #require(IMAPFetchTestMailbox.attributes($0), "\($0)") }
        let mailbox = InMemoryMailbox()
        var answered = 0
        for index in 0..<1500 {
            let bytes = mutator.next()
            let message = FetchedMessage(
                uid: UInt32(index + 1), flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 0), modSeq: 1, size: bytes.count,
                envelope: MessageEnvelope(), content: bytes)
            var whole: [UInt8]?
            for list in attributes {
                let responder = IMAPFetchResponder(attributes: list)
                do throws(IMAPFetchFailure) {
                    let items = try responder.items(for: message)
                    answered += 1
                    for item in items {
                        switch item {
                        case .bodySection(let section, _, let data?) where section.part.isEmpty && section.text == nil:
                            whole = data
                        case .bodySection(let section, _, let data?):
                            if case .headerFields = section.text { #expect(data.suffix(2).elementsEqual([0x0d, 0x0a])) }
                        case .rfc822(let data):
                            #expect(data == whole, "message \(index): RFC822 is BODY[]")
                        default: break
                        }
                    }
                } catch {
                    #expect(error == .unknownTransferEncoding, "message \(index)")
                }
            }
            // A partial is the window of the whole; BINARY.SIZE is BINARY's length.
            if let whole {
                let origin = UInt64(whole.count / 3)
                let partial = IMAPFetchResponder(attributes: [.bodySection(IMAPSection(), partial: IMAPPartial(offset: origin, length: 17), peek: true)])
                let window = Array(whole.dropFirst(Int(origin)).prefix(17))
                #expect(try partial.items(for: message) == [.bodySection(IMAPSection(), origin: origin, data: window)])
            }
            let binary = IMAPFetchResponder(attributes: [.binary(part: [1], partial: nil, peek: true), .binarySize(part: [1])])
            if let items = try? binary.items(for: message), case .binary(_, _, let data?) = items[0], case .binarySize(_, let size) = items[1] {
                #expect(UInt64(data.count) == size)
            }
            try await mailbox.append(bytes, to: "INBOX")
        }
        #expect(answered > 20_000)
        // The same messages through the content-reading SEARCH keys.
        let uids = try await mailbox.fetch(.all, in: "INBOX", content: .metadata).map(\.uid)
        let evaluator = IMAPSearchEvaluator(mailbox: mailbox, folder: "INBOX", uids: uids, savedResult: nil)
        for keys in ["TEXT e", "BODY zebra", "TEXT \"level two\"", "HEADER subject t", "SENTBEFORE 1-Jan-2000", "OR BODY a NOT TEXT b"] {
            let command = try #require(IMAPFetchTestMailbox.search(keys))
            let found = try await evaluator.matchingUIDs(command)
            #expect(found.allSatisfy { uids.contains($0) } && found == found.sorted(), "\(keys)")
        }
    }
}
