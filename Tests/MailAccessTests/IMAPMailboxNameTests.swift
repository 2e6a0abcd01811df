import MailAccess
import Testing

/// Modified UTF-7 (RFC 3501 section 5.1.3) both ways, strict on invalid input; UTF-8 names.
@Suite struct IMAPMailboxNameTests {
    func decode(_ text: String) -> String? { try? IMAPMailboxName.decode(Array(text.utf8), utf8: false) }

    @Test func rfc3501Example() {
        #expect(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/台北/日本語")
        #expect(IMAPMailboxName.encode("~peter/mail/台北/日本語", utf8: false) == Array("~peter/mail/&U,BTFw-/&ZeVnLIqe-".utf8))
    }

    @Test func ampersandAndPlainASCII() {
        #expect(decode("Tom &- Jerry") == "Tom & Jerry")
        #expect(IMAPMailboxName.encode("Tom & Jerry", utf8: false) == Array("Tom &- Jerry".utf8))
        #expect(decode("inbox") == "INBOX")
        #expect(decode("INBOX/sub") == "INBOX/sub")
    }

    @Test func roundTrips() throws {
        for name in ["Entwürfe", "Éléments envoyés", "Отправленные", "送信済み", "😀 emoji & more", "a~b", "Ärger/Über", "Corbeille"] {
            let encoded = IMAPMailboxName.encode(name, utf8: false)
            #expect(encoded.allSatisfy { $0 >= 0x20 && $0 <= 0x7e }, "\(name)")
            #expect(try IMAPMailboxName.decode(encoded, utf8: false) == name)
            #expect(try IMAPMailboxName.decode(IMAPMailboxName.encode(name, utf8: true), utf8: true) == name)
        }
        #expect(IMAPMailboxName.encode("Entwürfe", utf8: false) == Array("Entw&APw-rfe".utf8))
        #expect(IMAPMailboxName.encode("😀", utf8: false) == Array("&2D3eAA-".utf8))
    }

    @Test func invalidModifiedUTF7IsATypedError() {
        let invalid = [
            "&Jjo",  // no closing "-"
            "&AGE-",  // "a" encoded: printable ASCII must stand for itself
            "&U,BTFx-",  // leftover bits not zero
            "&U,BTF-",  // an odd number of bytes
            "&2D3-",  // a lone high surrogate
            "&2D0AQQ-",  // a high surrogate before a non-surrogate
            "&U/BTFw-",  // "/" is not in modified base64
            "&AAA-",  // NUL
        ]
        for text in invalid {
            #expect(throws: MailAccessError.protocolViolation, "\(text)") { try IMAPMailboxName.decode(Array(text.utf8), utf8: false) }
        }
        #expect(throws: MailAccessError.protocolViolation) { try IMAPMailboxName.decode([0x41, 0xe9], utf8: false) }
        #expect(throws: MailAccessError.protocolViolation) { try IMAPMailboxName.decode([0x41, 0x09], utf8: false) }
    }

    @Test func invalidUTF8IsATypedError() throws {
        for bytes: [UInt8] in [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x41, 0x00]] {
            #expect(throws: MailAccessError.protocolViolation) { try IMAPMailboxName.decode(bytes, utf8: true) }
        }
        #expect(try IMAPMailboxName.decode(Array("Entwürfe".utf8), utf8: true) == "Entwürfe")
    }
}
