import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// FETCH side by side with Dovecot 2.3: for every message of ``IMAPFetchCorpus`` and every
/// section form below, the bytes (and the item's label, `BODY[]<10>`) we send equal what
/// Dovecot sends, over the encrypted SQLiteMailbox and the in-memory one.
@Suite struct IMAPFetchDovecotTests {
    static let items = [
        "BODY.PEEK[]", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[HEADER.FIELDS (Subject From X-A Content-Type)]",
        "BODY.PEEK[HEADER.FIELDS (nonexistent)]", "BODY.PEEK[HEADER.FIELDS.NOT (Subject Message-ID)]",
        "BODY.PEEK[1]", "BODY.PEEK[2]", "BODY.PEEK[3]", "BODY.PEEK[4]", "BODY.PEEK[1.MIME]", "BODY.PEEK[2.MIME]", "BODY.PEEK[3.MIME]",
        "BODY.PEEK[1.1]", "BODY.PEEK[1.2]", "BODY.PEEK[1.1.1]", "BODY.PEEK[2.1]", "BODY.PEEK[2.2]", "BODY.PEEK[2.1.1]",
        "BODY.PEEK[2.2.1]", "BODY.PEEK[2.2.2]", "BODY.PEEK[2.2.HEADER]", "BODY.PEEK[2.2.TEXT]", "BODY.PEEK[2.2.MIME]",
        "BODY.PEEK[2.HEADER]", "BODY.PEEK[2.TEXT]", "BODY.PEEK[2.HEADER.FIELDS (Subject)]", "BODY.PEEK[2.HEADER.FIELDS.NOT (Subject)]",
        "BODY.PEEK[1.HEADER]", "BODY.PEEK[1.TEXT]", "BODY.PEEK[1.2.MIME]",
        "BODY.PEEK[]<0.10>", "BODY.PEEK[]<10.20>", "BODY.PEEK[]<300.100>", "BODY.PEEK[]<4000.1000>", "BODY.PEEK[]<100000.5>",
        "BODY.PEEK[TEXT]<5.1000000>", "BODY.PEEK[1]<3.4>", "BODY.PEEK[2.1]<1.3>", "BODY.PEEK[HEADER.FIELDS (Subject)]<2.5>",
        "BINARY.PEEK[]", "BINARY.PEEK[1]", "BINARY.PEEK[2]", "BINARY.PEEK[3]", "BINARY.PEEK[1.1]", "BINARY.PEEK[1.2]",
        "BINARY.PEEK[2.2]", "BINARY.PEEK[1]<2.5>", "BINARY.PEEK[]<30.40>", "BINARY.SIZE[1]", "BINARY.SIZE[2]", "BINARY.SIZE[]",
        "RFC822.HEADER", "RFC822.TEXT", "RFC822", "BODY[1]", "INTERNALDATE", "RFC822.SIZE",
    ]

    /// Our item's label as Dovecot's is cut: up to the literal, or the whole item.
    static func label(_ item: IMAPFetchItem) -> String {
        let line = IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, [item]))))
        var text = line.dropFirst("* 1 FETCH (".count)
        if let brace = text.range(of: " {") ?? text.range(of: " ~{") { return String(text[..<brace.lowerBound]) }
        // ")" and "\r\n" (one Character).
        if text.hasSuffix(")\r\n") { text = text.dropLast(2) }
        return String(text)
    }

    @Test(.enabled(if: TestPeers.shouldRun(IMAPFetchDovecotProbe.available)), arguments: IMAPFetchTestMailbox.Kind.allCases)
    func sectionsEqualDovecots(kind: IMAPFetchTestMailbox.Kind) async throws {
        let dovecot = try await IMAPFetchDovecotProbe.run(fetches: Self.items, searches: [])
        let ours = try await IMAPFetchTestMailbox.corpus(kind)
        try #require(dovecot.fetch.count == IMAPFetchCorpus.entries.count)
        var compared = 0
        var dovecotSizeQuirks = 0
        for (index, entry) in IMAPFetchCorpus.entries.enumerated() {
            let uid = UInt32(index + 1)
            for item in Self.items {
                guard let theirs = dovecot.fetch[index][item] else {
                    Issue.record("\(entry.name) \(item): no answer from Dovecot")
                    continue
                }
                switch try await ours.items(item, uid: uid) {
                case .failure(let failure):
                    #expect(theirs.status.hasPrefix("NO"), "\(entry.name) \(item): we failed (\(failure)), Dovecot: \(theirs.status)")
                    if case .unknownCTE? = failure.responseCode {
                        #expect(theirs.status.contains("[UNKNOWN-CTE]"), "\(entry.name) \(item): \(theirs.status)")
                    }
                case .success(let items):
                    #expect(theirs.status == "OK", "\(entry.name) \(item): Dovecot said \(theirs.status)")
                    let mine = items.first { if case .uid = $0 { return item == "UID" } else { return true } }
                    guard let mine else {
                        Issue.record("\(entry.name) \(item): no item")
                        continue
                    }
                    // Items that set \Seen come with FLAGS: the session's part, not ours.
                    var label = theirs.label
                    if label.hasPrefix("FLAGS ("), let end = label.firstIndex(of: ")") {
                        label = String(label[label.index(after: end)...].dropFirst())
                    }
                    if case .binarySize(let part, let size) = mine {
                        // Dovecot's BINARY.SIZE of a multipart can disagree with the length of
                        // its own BINARY data: ours must equal that length.
                        let peek = "BINARY.PEEK[" + part.map(String.init).joined(separator: ".") + "]"
                        let theirData = dovecot.fetch[index][peek]?.data
                        #expect(theirData != nil && size == UInt64(theirData?.count ?? -1), "\(entry.name) \(item): \(size)")
                        if label != Self.label(mine) { dovecotSizeQuirks += 1 }
                        compared += 1
                        continue
                    }
                    #expect(Self.label(mine) == label, "\(entry.name) \(item): label")
                    var data: [UInt8]?
                    switch mine {
                    case .bodySection(_, _, let bytes), .rfc822(let bytes), .rfc822Header(let bytes), .rfc822Text(let bytes), .binary(_, _, let bytes):
                        data = bytes
                    default: data = nil
                    }
                    #expect(data == theirs.data, "\(entry.name) \(item): ours \(data?.text.debugDescription ?? "nil") Dovecot's \(theirs.data?.text.debugDescription ?? "nil")")
                    compared += 1
                }
            }
        }
        #expect(compared > 1000)
        // Known: Dovecot 2.3 counts BINARY.SIZE of a multipart with a decoded part short.
        #expect(dovecotSizeQuirks <= 2)
    }
}
