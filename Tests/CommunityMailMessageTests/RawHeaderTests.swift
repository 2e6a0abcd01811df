import CommunityMailMessage
import Foundation
import Testing

/// Signatures (DKIM, ARC) hash header fields and bodies as they were received, so the
/// parser must hand back every byte unchanged beside its parsed view.
@Suite("Raw header bytes round-trip byte-exact")
struct RawHeaderTests {
    /// Folded values, tabs and runs of spaces, trailing whitespace, 8-bit bytes, a bare LF
    /// line among CRLF lines, and a name in odd case.
    static let fields: [[UInt8]] = [
        Array("DKIM-Signature: v=1; a=rsa-sha256; d=example.org;\r\n\tb=AbCd\r\n   EfGh ;\r\n".utf8),
        Array("subJECT:  \t spaced   out \t \r\n".utf8),
        Array("X-Latin1: caf".utf8) + [0xe9] + Array("\r\n".utf8),
        Array("X-UTF8: café\n".utf8),
        Array("Received: from a\r\n\tby b;\r\n Mon, 1 Jan 2026 00:00:00 +0000\r\n".utf8),
        Array("X-Empty:\r\n".utf8),
        Array("X-Colon:a:b:c\r\n".utf8),
        Array("X-Obsolete \t: spaced name\r\n".utf8),
    ]

    @Test("Each field's raw bytes are exactly what came in; the block and body concatenate to the input")
    func fieldsByteExact() {
        let body = Array("Body line one\r\n\r\n  indented, and a trailing space \r\n".utf8)
        let bytes = Self.fields.flatMap { $0 } + Array("\r\n".utf8) + body
        let message = MailMessage(bytes)
        #expect(message.header.fields.map { Array($0.rawBytes) } == Self.fields)
        #expect(Array(message.rawHeader) == Self.fields.flatMap { $0 } + Array("\r\n".utf8))
        #expect(Array(message.body) == body)
        #expect(Array(message.rawHeader) + Array(message.body) == bytes)
    }

    @Test("The parsed view unfolds, trims and keeps the name's case")
    func parsedView() throws {
        let bytes = Self.fields.flatMap { $0 } + Array("\r\nbody".utf8)
        let header = MailMessage(bytes).header
        let dkim = try #require(header.fields.first)
        #expect(dkim.name == "DKIM-Signature" && dkim.lowercasedName == "dkim-signature")
        #expect(dkim.unfoldedValue == "v=1; a=rsa-sha256; d=example.org;\tb=AbCd   EfGh ;")
        #expect(Array(dkim.rawValue) == Array(" v=1; a=rsa-sha256; d=example.org;\r\n\tb=AbCd\r\n   EfGh ;".utf8))
        #expect(header.fields[1].name == "subJECT")
        #expect(header.first("Subject") == "spaced   out")
        #expect(header.first("x-latin1") == "café")
        #expect(header.first("x-utf8") == "café")
        #expect(header.first("received") == "from a\tby b; Mon, 1 Jan 2026 00:00:00 +0000")
        #expect(header.first("x-empty") == "")
        #expect(Array(header.fields[5].rawValue).isEmpty)
        #expect(header.first("x-colon") == "a:b:c")
        #expect(header.fields[7].name == "X-Obsolete" && header.first("x-obsolete") == "spaced name")
        #expect(Array(header.fields[7].rawValue) == Array(" spaced name".utf8))
    }

    @Test("Decoded words are a view; the raw bytes keep them encoded")
    func encodedWordsStayRaw() throws {
        let raw = Array("Subject: =?utf-8?B?w6l0w6k=?=\r\n =?utf-8?Q?_d=C3=A9j=C3=A0?=\r\n".utf8)
        let field = try #require(MailMessage(raw + Array("\r\n".utf8)).header.fields.first)
        #expect(field.decodedValue == "été déjà")
        #expect(field.unfoldedValue == "=?utf-8?B?w6l0w6k=?= =?utf-8?Q?_d=C3=A9j=C3=A0?=")
        #expect(Array(field.rawBytes) == raw)
    }

    @Test("Bare LF input stays bare LF, junk lines stay in the block and belong to no field")
    func bareLinefeedsAndJunk() {
        let bytes = Array("From sender Mon Jan  1 00:00:00 2026\nA: 1\n  two\nno colon here\n\tstray continuation\nB: 2\n\nbody\n".utf8)
        let message = MailMessage(bytes)
        #expect(message.header.fields.map { Array($0.rawBytes) } == [Array("A: 1\n  two\n".utf8), Array("B: 2\n".utf8)])
        #expect(message.header.first("a") == "1  two")
        #expect(Array(message.body) == Array("body\n".utf8))
        #expect(Array(message.rawHeader) + Array(message.body) == bytes)
    }

    @Test("Without a blank line everything is header; a last field without a line break is kept")
    func noBlankLine() {
        let bytes = Array("A: 1\r\nB: no line break".utf8)
        let message = MailMessage(bytes)
        #expect(message.body.isEmpty)
        #expect(message.header.fields.map { Array($0.rawBytes) } == [Array("A: 1\r\n".utf8), Array("B: no line break".utf8)])
        #expect(Array(message.header.fields[1].rawValue) == Array(" no line break".utf8))
        #expect(MailMessage([]).header.fields.isEmpty && MailMessage([]).body.isEmpty)
    }

    @Test("A MIME part's header block is parsed from its slice; raw bytes are the part's own")
    func sliceIndices() throws {
        let bytes = Array("preamble\r\nX-Part: yes\r\n\r\npart body".utf8)
        let part = bytes[10...]
        let header = HeaderBlock(part)
        let field = try #require(header.fields.first)
        #expect(field.rawBytes.startIndex == 10)
        #expect(Array(field.rawBytes) == Array("X-Part: yes\r\n".utf8))
        #expect(Array(bytes[header.rawBytes.endIndex...]) == Array("part body".utf8))
    }

    @Test("Random bytes: the block and body always rebuild the input, fields are ordered pieces of the block")
    func randomInput() {
        var random = SeededRandom(state: 14)
        let alphabet = Array("ab:X-Y \t\r\n\r\n=?\u{7f}".utf8) + [0x00, 0xe9, 0xff, 0x80]
        for _ in 0..<2_000 {
            let bytes = (0..<random.next(300)).map { _ in alphabet[random.next(alphabet.count)] }
            let message = MailMessage(bytes)
            #expect(Array(message.rawHeader) + Array(message.body) == bytes)
            var position = message.rawHeader.startIndex
            for field in message.header.fields {
                #expect(field.rawBytes.startIndex >= position && field.rawBytes.endIndex <= message.rawHeader.endIndex)
                #expect(field.rawBytes.starts(with: Array(field.name.utf8)))
                #expect(field.rawBytes.dropFirst(field.name.utf8.count).drop { $0 == 0x20 || $0 == 0x09 }.first == UInt8(ascii: ":"))
                position = field.rawBytes.endIndex
            }
        }
    }
}

/// A small deterministic generator (LCG), so a failure reproduces.
struct SeededRandom {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(max(bound, 1)))
    }
}
