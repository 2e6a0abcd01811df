import CommunityMailSMTP
import Testing

@Suite("SMTPReplyParser")
struct SMTPReplyParserTests {
    func parse(_ text: String, limits: SMTPReplyParser.Limits = .init()) throws(SMTPError) -> [SMTPReply] {
        var parser = SMTPReplyParser(limits: limits)
        parser.append(Array(text.utf8))
        var replies: [SMTPReply] = []
        while let reply = try parser.nextReply() { replies.append(reply) }
        return replies
    }

    @Test("A multi-line reply is one reply; the enhanced status code is read from its first line")
    func multiLine() throws {
        let replies = try parse("250-mx.test greets you\r\n250-SIZE 1000\r\n250 2.0.0 PIPELINING\r\n550 5.1.1 <x@y.test>: unknown\r\n")
        #expect(replies.count == 2)
        #expect(replies[0].code == 250)
        #expect(replies[0].lines == ["mx.test greets you", "SIZE 1000", "2.0.0 PIPELINING"])
        #expect(replies[0].enhancedStatusCode == nil)
        #expect(replies[1].enhancedStatusCode == SMTPEnhancedStatusCode(statusClass: 5, subject: 1, detail: 1))
        #expect(replies[1].summary == "550 5.1.1")
    }

    @Test("A bare code, a bare LF line end and an incomplete reply")
    func leniency() throws {
        #expect(try parse("250\n").first?.lines == [""])
        #expect(try parse("250-first\r\n250 sec").isEmpty)
    }

    @Test("An enhanced code whose class differs from the reply's is not kept (RFC 2034)")
    func mismatchedClass() throws {
        #expect(try parse("250 5.1.1 odd\r\n").first?.enhancedStatusCode == nil)
        #expect(try parse("451 4.3.0 later\r\n").first?.summary == "451 4.3.0")
        #expect(try parse("250 2.1234.0 too long\r\n").first?.enhancedStatusCode == nil)
    }

    @Test("Lines that are not replies are malformedReply", arguments: [
        "hello\r\n", "25\r\n", "600 no\r\n", "190 no\r\n", "260 second digit\r\n", "250x\r\n", "250-a\r\n251 b\r\n",
    ])
    func malformed(_ text: String) {
        #expect(throws: SMTPError.malformedReply) { try parse(text) }
    }

    @Test("A line longer than the limit, finished or not, and too many lines are malformedReply")
    func limits() {
        var limits = SMTPReplyParser.Limits()
        limits.maximumLineLength = 20
        limits.maximumLines = 3
        #expect(throws: SMTPError.malformedReply) { try parse("250 " + String(repeating: "x", count: 30) + "\r\n", limits: limits) }
        #expect(throws: SMTPError.malformedReply) { try parse("250 " + String(repeating: "x", count: 30), limits: limits) }
        #expect(throws: SMTPError.malformedReply) { try parse(String(repeating: "250-x\r\n", count: 4), limits: limits) }
        #expect((try? parse(String(repeating: "250-x\r\n", count: 2) + "250 x\r\n", limits: limits))?.count == 1)
    }

    @Test("A reply encodes with continuation lines and survives a round trip")
    func encoding() throws {
        let reply = SMTPReply(code: 250, lines: ["mx.test", "PIPELINING", "SIZE 100"])
        #expect(String(decoding: reply.encoded, as: UTF8.self) == "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 100\r\n")
        #expect(try parse(String(decoding: reply.encoded, as: UTF8.self)) == [reply])
        #expect(String(decoding: SMTPReply(550, "a\r\nb").encoded, as: UTF8.self) == "550 a  b\r\n")
    }

    @Test("A reply built from code, enhanced status code and text (AliasStore's rejections) is the one a server sends and the parser reads")
    func fromParts() throws {
        let reply = SMTPReply(code: 550, enhancedStatusCode: "5.1.1", text: "No such user here")
        #expect(String(decoding: reply.encoded, as: UTF8.self) == "550 5.1.1 No such user here\r\n")
        #expect(reply.enhancedStatusCode == SMTPEnhancedStatusCode(statusClass: 5, subject: 1, detail: 1))
        #expect(reply.text == "No such user here")
        #expect(reply.description == "550 5.1.1 No such user here")
        #expect(reply.summary == "550 5.1.1")
        #expect(try parse(String(decoding: reply.encoded, as: UTF8.self)) == [reply])
        let multiLine = SMTPReply(code: 250, lines: ["2.0.0 mx.test", "queued"])
        #expect(multiLine.text == "mx.test queued")
        #expect(multiLine.description == "250-2.0.0 mx.test\n250 queued")
        #expect(SMTPReply(451, "Temporary lookup failure").text == "Temporary lookup failure")
        #expect(SMTPReply(550, "5.01.001 padded").text == "padded")
        #expect(SMTPReply(550, "5.1.1").text == "")
    }
}
