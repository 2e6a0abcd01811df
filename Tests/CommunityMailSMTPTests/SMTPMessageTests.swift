import CommunityMailSMTP
import Testing

@Suite("SMTPMessage")
struct SMTPMessageTests {
    func transmitted(_ text: String) throws -> String {
        let message = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array(text.utf8))
        return String(decoding: message.transmittedData, as: UTF8.self)
    }

    @Test("Dot-stuffing (RFC 5321 section 4.5.2): a line that starts with a dot gets a second one")
    func dotStuffing() throws {
        #expect(try transmitted(".\r\n..\r\na.b\r\n.x") == "..\r\n...\r\na.b\r\n..x\r\n.\r\n")
    }

    @Test("Bare LF and bare CR become CRLF; CRLF stays one line end; a final CRLF is added")
    func lineEnds() throws {
        #expect(try transmitted("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd\r\n.\r\n")
        #expect(try transmitted("a\r\n\r\n") == "a\r\n\r\n.\r\n")
        // A lone LF before a dot cannot end the data early (SMTP smuggling).
        #expect(try transmitted("a\n.\nb") == "a\r\n..\r\nb\r\n.\r\n")
    }

    @Test("SIZE counts CRLF lines without added dots and the final dot line")
    func size() throws {
        let message = try SMTPMessage(sender: "", recipients: ["b@example.test"], content: Array(".a\nb".utf8))
        #expect(message.size == 7)  // ".a\r\nb\r\n"
    }

    @Test("Lines up to 998 octets go; longer ones are invalidMessage")
    func lineLimit() throws {
        _ = try transmitted(String(repeating: "x", count: 998))
        #expect(throws: SMTPError.invalidMessage) { try transmitted(String(repeating: "x", count: 999) + "\r\n") }
        #expect(throws: SMTPError.invalidMessage) {
            try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: [])
        }
    }

    @Test("Addresses that could inject commands are invalidAddress, and the error does not repeat them", arguments: [
        "a@b.test>\r\nRCPT TO:<evil@x.test", "a b@x.test", "nobody", "@x.test", "a@", "a<b@x.test", "tab\t@x.test",
    ])
    func hostileAddresses(_ address: String) {
        let error = #expect(throws: SMTPError.invalidAddress) {
            try SMTPMessage(sender: "a@example.test", recipients: [address], content: Array("x".utf8))
        }
        #expect(error?.description.contains("x.test") == false)
        #expect(throws: SMTPError.invalidAddress) {
            try SMTPMessage(sender: address, recipients: ["b@example.test"], content: Array("x".utf8))
        }
    }

    @Test("The null sender is allowed; no recipient is not")
    func envelope() throws {
        #expect(try SMTPMessage(sender: "", recipients: ["b@example.test"], content: Array("x".utf8)).sender == "")
        #expect(throws: SMTPError.invalidAddress) { try SMTPMessage(sender: "a@example.test", recipients: [], content: Array("x".utf8)) }
    }

    @Test("Non-ASCII in the body needs 8BITMIME only; in the header block or an address, SMTPUTF8 too")
    func requirements() throws {
        let body = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("Subject: x\r\n\r\nñ".utf8))
        #expect(body.needs8BitMIME && !body.needsSMTPUTF8)
        let header = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("Subject: ñ\n\nx".utf8))
        #expect(header.needs8BitMIME && header.needsSMTPUTF8)
        let address = try SMTPMessage(sender: "ñ@example.test", recipients: ["b@example.test"], content: Array("x".utf8))
        #expect(!address.needs8BitMIME && address.needsSMTPUTF8)
    }

    @Test("addressed(to:) is the message built again for other recipients (SMTPUTF8 follows them), and refuses what the initialiser refuses")
    func addressedToOthers() throws {
        let content = Array("Subject: s\r\n\r\n.dot\nNúñez\r\n".utf8)
        let original = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: content)
        for recipients in [["c@example.test", "d@example.test"], ["josé@example.test"]] {
            #expect(try original.addressed(to: recipients) == SMTPMessage(sender: "a@example.test", recipients: recipients, content: content))
        }
        let international = try SMTPMessage(sender: "a@example.test", recipients: ["josé@example.test"], content: content)
        #expect(international.needsSMTPUTF8)
        #expect(try !international.addressed(to: ["b@example.test"]).needsSMTPUTF8)
        let utf8Headers = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("Subject: Núñez\r\n\r\nx".utf8))
        #expect(try utf8Headers.addressed(to: ["c@example.test"]).needsSMTPUTF8)
        #expect(throws: SMTPError.invalidAddress) { try original.addressed(to: []) }
        #expect(throws: SMTPError.invalidAddress) { try original.addressed(to: ["c d@example.test"]) }
        #expect(throws: SMTPError.invalidAddress) { try original.addressed(to: ["c@example.test>\r\nRCPT TO:<x@example.test"]) }
    }
}
