import CommunityMailTestSupport
import DNSVerify
import Testing

@Suite("Wire format (RFC 1035, 3596, 6891)")
struct WireFormatTests {
    @Test("every record type survives encoding and decoding")
    func roundTrip() throws {
        let message = Samples.fullResponse
        let bytes = try message.encoded()
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded == message)
        #expect(decoded.header.id == 0xBEEF && decoded.header.isAuthoritative && decoded.header.isResponse)
        #expect(decoded.edns?.recordClass.rawValue == 1232)
        guard case .txt(let strings) = decoded.answers[7].data else {
            Issue.record("not TXT")
            return
        }
        #expect(strings.count == 2)
        #expect(decoded.answers[7].data.joinedText == "v=spf1 include:spf.forwardemail.net -all")
        #expect(decoded.answers[8].type.rawValue == 99)
        #expect(decoded.answers[8].data == .unknown(type: DNSRecordType(rawValue: 99), data: [1, 2, 3]))
    }

    @Test("names are compressed when encoding")
    func compression() throws {
        let bytes = try Samples.fullResponse.encoded()
        // "example" is spelled out once; every later name ending in example.org points at it.
        let label = [UInt8(7)] + Array("example".utf8)
        let spelled = (0...(bytes.count - label.count)).filter { Array(bytes[$0..<($0 + label.count)]) == label }
        #expect(spelled.count == 1)
        let pointers = zip(bytes, bytes.dropFirst()).filter { $0.0 == 0xC0 && $0.1 == 12 }.count
        #expect(pointers >= 8)
    }

    @Test("a hand-written query decodes field by field")
    func handWritten() throws {
        let bytes: [UInt8] = [
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 15, 0, 1,
        ]
        let message = try DNSMessage(decoding: bytes)
        #expect(message.header.id == 0x1234)
        #expect(message.header.recursionDesired && !message.header.isResponse)
        #expect(message.questions == [DNSQuestion(name: Samples.name("EXAMPLE.com"), type: .mx)])
        #expect(try message.encoded() == bytes)
    }

    @Test("a pointer to itself or forward is refused")
    func badPointers() {
        var selfPointer = Samples.header(questions: 1)
        selfPointer += [0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSError.badCompressionPointer) { try DNSMessage(decoding: selfPointer) }
        var forward = Samples.header(questions: 1)
        forward += [0xC0, 18, 0, 1, 0, 1, 0]
        #expect(throws: DNSError.badCompressionPointer) { try DNSMessage(decoding: forward) }
        // Label "a" at 12, then a pointer back to 12: a loop through a backward pointer.
        var loop = Samples.header(questions: 1)
        loop += [1, 97, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSError.badCompressionPointer) { try DNSMessage(decoding: loop) }
    }

    @Test("legitimate chains of pointers decode, and the hop cap holds")
    func hopCap() throws {
        // An unknown-type record whose data holds a root name and a chain of pointers,
        // each pointing at the one before; a second record's owner points at the last.
        func message(hops: Int) -> [UInt8] {
            var bytes = Samples.header(answers: 2)
            let dataStart = 12 + 1 + 10
            var data: [UInt8] = [0]
            for index in 0..<hops {
                let target = dataStart + (index == 0 ? 0 : 1 + 2 * (index - 1))
                data += [0xC0 | UInt8(target >> 8), UInt8(target & 0xFF)]
            }
            bytes += [0, 0, 99, 0, 1, 0, 0, 0, 0, UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
            let last = dataStart + 1 + 2 * (hops - 1)
            bytes += [0xC0 | UInt8(last >> 8), UInt8(last & 0xFF), 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]
            return bytes
        }
        let fine = try DNSMessage(decoding: message(hops: 10))
        #expect(fine.answers[1].name == .root)
        #expect(throws: DNSError.tooManyCompressionPointers) { try DNSMessage(decoding: message(hops: 70)) }
    }

    @Test("names longer than 255 bytes are refused")
    func longNames() {
        var bytes = Samples.header(questions: 1)
        for _ in 0..<5 { bytes += [63] + [UInt8](repeating: 97, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSError.nameTooLong) { try DNSMessage(decoding: bytes) }
        #expect(throws: DNSError.labelTooLong) { try DNSName(labels: [[UInt8](repeating: 97, count: 64)]) }
        #expect(throws: DNSError.nameTooLong) { try DNSName(labels: Array(repeating: [UInt8](repeating: 97, count: 63), count: 5)) }
    }

    @Test("every truncation of a valid message is a typed error")
    func truncations() throws {
        let bytes = try Samples.fullResponse.encoded()
        for length in 0..<bytes.count {
            #expect(throws: DNSError.self) { try DNSMessage(decoding: Array(bytes[0..<length])) }
        }
    }

    @Test("record data must match its type and length")
    func malformedData() {
        var shortA = Samples.header(answers: 1)
        shortA += [0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]
        #expect(throws: DNSError.malformedRecordData) { try DNSMessage(decoding: shortA) }
        var overlongMX = Samples.header(answers: 1)
        overlongMX += [0, 0, 15, 0, 1, 0, 0, 0, 60, 0, 5, 0, 10, 0, 7, 7]
        #expect(throws: DNSError.malformedRecordData) { try DNSMessage(decoding: overlongMX) }
        var txtOverrun = Samples.header(answers: 1)
        txtOverrun += [0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 5, 65, 65]
        #expect(throws: DNSError.truncatedMessage) { try DNSMessage(decoding: txtOverrun) }
        var emptyTXT = Samples.header(answers: 1)
        emptyTXT += [0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0]
        #expect(throws: DNSError.malformedRecordData) { try DNSMessage(decoding: emptyTXT) }
        var extendedLabel = Samples.header(questions: 1)
        extendedLabel += [0x41, 0, 0, 1, 0, 1]
        #expect(throws: DNSError.unsupportedLabelType) { try DNSMessage(decoding: extendedLabel) }
    }

    @Test("TXT strings stay apart per record; long strings cannot be encoded")
    func txtStrings() throws {
        let long = DNSRecordData.txt(text: String(repeating: "k", count: 600))
        guard case .txt(let strings) = long else {
            Issue.record("not TXT")
            return
        }
        #expect(strings.map(\.count) == [255, 255, 90])
        var message = DNSMessage(header: DNSHeader(id: 1, isResponse: true))
        message.answers = [DNSRecord(name: Samples.name("a.example"), ttl: 1, data: .txt([[UInt8](repeating: 65, count: 256)]))]
        #expect(throws: DNSError.characterStringTooLong) { try message.encoded() }
    }

    @Test("the OPT record extends the response code")
    func extendedResponseCode() throws {
        var message = DNSMessage.query(id: 9, question: DNSQuestion(name: Samples.name("example.org"), type: .a))
        #expect(message.edns?.recordClass.rawValue == DNSMessage.recommendedPayloadSize)
        message.header.isResponse = true
        message.additionals[0].ttl = 1 << 24
        let decoded = try DNSMessage(decoding: try message.encoded())
        #expect(decoded.responseCode == .badVersion)
        let plain = DNSMessage.query(id: 9, question: DNSQuestion(name: Samples.name("example.org"), type: .a), payloadSize: nil)
        #expect(plain.edns == nil)
    }

    @Test("names: IDNA, underscores, case-insensitive equality, presentation")
    func names() throws {
        #expect(try DNSName("Bücher.Example").text == "xn--bcher-kva.example")
        #expect(try DNSName("bücher.example").unicodeText == "bücher.example")
        #expect(try DNSName("_dmarc.example.org.").labels.count == 3)
        #expect(try DNSName("EXAMPLE.org") == DNSName("example.ORG"))
        #expect(try DNSName("EXAMPLE.org").hashValue == DNSName("example.org").hashValue)
        #expect(try DNSName(labels: [Array("a.b".utf8), [0x01]]).description == "a\\.b.\\001.")
        #expect(throws: DNSError.invalidName) { try DNSName("bad..name") }
        #expect(throws: DNSError.invalidName) { try DNSName("spaces are bad.example") }
        #expect(try DNSName("mail.example.org").isSubdomain(of: DNSName("example.org")))
        #expect(try !DNSName("example.org").isSubdomain(of: DNSName("mail.example.org")))
    }

    @Test("records print in zone-file form")
    func presentation() throws {
        let record = DNSRecord(name: try DNSName("example.org"), ttl: 300,
                               data: .txt([Array("say \"hi\"".utf8), [0x07]]))
        #expect(record.description == "example.org. 300 IN TXT \"say \\\"hi\\\"\" \"\\007\"")
        let unknown = DNSRecord(name: .root, ttl: 0, data: .unknown(type: DNSRecordType(rawValue: 99), data: [0xAB, 1]))
        #expect(unknown.description == ". 0 IN TYPE99 \\# 2 ab01")
    }

    @Test("fuzz: 20,000 random and mutated packets decode or fail with DNSError, and decoding is stable")
    func smallFuzz() {
        var mutator = ByteMutator(seeds: Samples.seeds, seed: 0x5EED_D115)
        var decodedCount = 0
        for _ in 0..<20_000 {
            let input = mutator.next()
            guard let message = try? DNSMessage(decoding: input) else { continue }
            decodedCount += 1
            // What decodes re-encodes, and decodes again to the same message.
            guard let again = try? message.encoded() else {
                Issue.record("a decoded message cannot be encoded: \(input)")
                continue
            }
            #expect((try? DNSMessage(decoding: again)) == message)
        }
        #expect(decodedCount > 100)
    }
}
