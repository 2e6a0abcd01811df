import CommunityMailMessage
@testable import EncryptedMailbox
import Foundation
import Testing

/// Random and mutated input through every parser: no crash, no hang, typed errors only.
/// Sized to run in about a second: 3,000 inputs per parser from a fixed seed.
@Suite("Parsers survive random input")
struct MailboxRobustnessTests {
    static let rounds = 3_000

    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    /// Bytes biased towards the characters the parsers care about.
    static func input(_ random: inout Random, length: Int) -> [UInt8] {
        let interesting = Array("=?_:;<>\"\\()-*, \t\r\nFrom bB qQ utf-8 boundary=--x Content-Type multipart/ 2026 Jan +0100 >".utf8)
        return (0..<length).map { _ in random.next(4) == 0 ? UInt8(random.next(256)) : interesting[random.next(interesting.count)] }
    }

    @Test("Message, header, date and encoded-word parsing never fail")
    func messages() {
        var random = Random(state: 2026)
        var generator = MailCorpus(seed: 5)
        for round in 0..<Self.rounds {
            var bytes = round % 2 == 0 ? Self.input(&random, length: random.next(600)) : generator.message(round).bytes
            if round % 2 == 1 {
                for _ in 0..<random.next(30) where !bytes.isEmpty {
                    bytes[random.next(bytes.count)] = Self.input(&random, length: 1)[0]
                }
            }
            let parsed = ParsedMessage(indexing: bytes)
            #expect(parsed.headerLength <= bytes.count)
            let text = String(decoding: bytes, as: UTF8.self)
            _ = MailDateParser.parse(text)
            _ = EncodedWordDecoder.decode(text)
            _ = HeaderBlock.parameters(of: text)
            _ = HeaderBlock.messageIDs(in: text)
        }
    }

    @Test("mbox reading, query and UID-set parsing give typed errors only")
    func formats() throws {
        var random = Random(state: 7)
        var rejected = 0
        for round in 0..<Self.rounds {
            var bytes = Self.input(&random, length: random.next(400))
            if round % 3 == 0 { bytes = Array("From ".utf8) + bytes }
            let messages: [MboxMessage]?
            do { messages = try MboxFormat.read(bytes) } catch {
                #expect(error == .invalidMbox)
                messages = nil
                rejected += 1
            }
            if let messages {
                // What was read writes back and reads again to as many messages.
                let again = try MboxFormat.read(MboxFormat.write(messages))
                #expect(again.count == messages.count)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do { _ = try SearchQuery(parsing: text) } catch { #expect(error == .invalidQuery) }
            do { _ = try UIDSet(parsing: text) } catch { #expect(error == .invalidUIDSet) }
        }
        #expect(rejected > 0 && rejected < Self.rounds)
    }

    @Test("Thread trees from random, looping references hold every message exactly once")
    func threadTrees() {
        var random = Random(state: 31)
        for _ in 0..<50 {
            let messages = (1...UInt32(120)).map { uid in
                let id = random.next(5) == 0 ? nil : "m\(random.next(60))"
                let references = (0..<random.next(6)).map { _ in "m\(random.next(60))" }
                return FetchedMessage(
                    uid: uid, flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: TimeInterval(random.next(1000))), modSeq: 1, size: 0,
                    envelope: MessageEnvelope(
                        date: random.next(3) == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(random.next(1000))), messageID: id,
                        inReplyTo: random.next(2) == 0 ? ["m\(random.next(60))"] : [], references: references),
                    content: nil)
            }
            func uids(_ nodes: [MessageThreadNode]) -> [UInt32] { nodes.flatMap { ($0.uid.map { [$0] } ?? []) + uids($0.children) } }
            func hasEmptyGap(_ nodes: [MessageThreadNode]) -> Bool { nodes.contains { $0.uid == nil && $0.children.isEmpty || hasEmptyGap($0.children) } }
            let tree = ThreadTreeBuilder.build(messages)
            #expect(uids(tree).sorted() == messages.map(\.uid))
            #expect(!hasEmptyGap(tree))
        }
    }
}
