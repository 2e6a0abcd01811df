import CommunityMailTestSupport
import Foundation

/// A deterministic generator of realistic mail: plain and 8-bit bodies, MIME multipart
/// (alternative, mixed with base64 attachments), encoded words in several charsets, long
/// folded headers, CRLF and LF line ends, and `From ` / `>From ` lines inside bodies.
struct MailCorpus {
    struct Message {
        var bytes: [UInt8]
        var sender: String
        var date: Date
        var subject: String
        var hasAttachment: Bool
        var fromLinesInBody: Int
    }

    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func next() -> UInt64 { random.next() }

    private mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    private static let words = [
        "budget", "meeting", "release", "kernel", "package", "mirror", "launchpad", "review", "patch", "archive",
        "server", "community", "translation", "upload", "bug", "security", "desktop", "snap", "build", "daily",
    ]
    private static let people = [
        ("Alice Example", "alice@example.org"), ("Bob Builder", "bob@example.net"), ("Carol Ubuntu", "carol@ubuntu.example"),
        ("Dmitri Petrov", "dmitri@example.ru"), ("Émile Zola", "emile@example.fr"), ("Yuki Tanaka", "yuki@example.jp"),
    ]

    private mutating func sentence(_ count: Int) -> String {
        (0..<count).map { _ in pick(Self.words) }.joined(separator: " ")
    }

    /// An encoded-word form of `text` in one of several charsets, B or Q.
    private mutating func encodedWord(_ text: String) -> String {
        switch int(0..<4) {
        case 0:
            return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
        case 1:
            let q = text.utf8.map { byte -> String in
                if byte == 0x20 { return "_" }
                if (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) {
                    return String(UnicodeScalar(byte))
                }
                return String(format: "=%02X", byte)
            }.joined()
            return "=?utf-8?Q?\(q)?="
        case 2:
            if let latin = text.data(using: .isoLatin1) { return "=?ISO-8859-1?B?\(latin.base64EncodedString())?=" }
            return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
        default:
            return text
        }
    }

    mutating func message(_ index: Int) -> Message {
        let crlf = int(0..<5) == 0
        let eol = crlf ? "\r\n" : "\n"
        let (name, address) = pick(Self.people)
        let (toName, toAddress) = pick(Self.people)
        let seconds = 1_700_000_000 + index * 3_571 + int(0..<3_000)
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        let subjectText = ["Réunion", "Отчёт", "Plan", "Café", "Update"][index % 5] + " \(sentence(int(2..<6))) #\(index)"
        var header: [String] = []
        let useReturnPath = int(0..<3) == 0
        let sender = useReturnPath ? "bounces+\(index)@lists.example.org" : address
        if useReturnPath { header.append("Return-Path: <\(sender)>") }
        header.append("From: \(encodedWord(name)) <\(address)>")
        header.append("To: \(encodedWord(toName)) <\(toAddress)>")
        if int(0..<3) == 0 { header.append("Cc: list@lists.example.org") }
        // Long subjects are folded, sometimes across encoded words.
        let encodedSubject = encodedWord(subjectText)
        var subject = subjectText
        if encodedSubject.count > 60 && int(0..<2) == 0 {
            let continuation = encodedWord("(continued)")
            header.append("Subject: \(encodedSubject)\(eol) \(continuation)")
            // RFC 2047: the folding white space between two encoded words disappears.
            let bothEncoded = encodedSubject.hasPrefix("=?") && continuation.hasPrefix("=?")
            subject += (bothEncoded ? "" : " ") + "(continued)"
        } else {
            header.append("Subject: \(encodedSubject)")
        }
        header.append("Date: \(MailCorpus.rfc5322(seconds: seconds))")
        header.append("Message-ID: <msg\(index)@corpus.example>")
        if index > 0 && int(0..<2) == 0 {
            let parent = int(max(0, index - 20)..<index)
            header.append("In-Reply-To: <msg\(parent)@corpus.example>")
            let references = (0..<int(1..<25)).map { _ in "<msg\(int(0..<index))@corpus.example>" }
            header.append("References: " + references.joined(separator: "\(eol)\t"))
        }
        if int(0..<4) == 0 {
            header.append("X-Long-Header: " + (0..<30).map { _ in pick(Self.words) }.joined(separator: "\(eol) "))
        }
        header.append("MIME-Version: 1.0")

        var fromLines = 0
        func bodyText(_ rng: inout MailCorpus) -> String {
            var lines: [String] = []
            for _ in 0..<rng.int(2..<12) {
                switch rng.int(0..<10) {
                case 0:
                    lines.append("From the desk of \(rng.pick(Self.people).0): \(rng.sentence(3))")
                    fromLines += 1
                case 1:
                    lines.append(">From an earlier mail, \(rng.sentence(2))")
                    fromLines += 1
                case 2:
                    lines.append(">>From deeper quoting")
                    fromLines += 1
                case 3: lines.append("")
                default: lines.append(rng.sentence(rng.int(4..<14)))
                }
            }
            return lines.joined(separator: eol) + eol
        }

        var hasAttachment = false
        var bytes: [UInt8]
        switch int(0..<4) {
        case 0:
            // 8-bit Latin-1 body.
            header.append("Content-Type: text/plain; charset=iso-8859-1")
            header.append("Content-Transfer-Encoding: 8bit")
            bytes = Array((header.joined(separator: eol) + eol + eol).utf8)
            bytes += Array(bodyText(&self).utf8) + [0x43, 0x61, 0x66, 0xE9, 0x20, 0xE0, 0x20, 0xFC] + Array(eol.utf8)
        case 1:
            header.append("Content-Type: multipart/alternative; boundary=\"alt-\(index)\"")
            let text = bodyText(&self)
            var body = "This is a multi-part message in MIME format.\(eol)--alt-\(index)\(eol)"
            body += "Content-Type: text/plain; charset=utf-8\(eol)Content-Transfer-Encoding: quoted-printable\(eol)\(eol)"
            body += text.replacingOccurrences(of: "é", with: "=C3=A9") + "Gr=C3=BC=C3=9Fe=\(eol) und Tsch=C3=BCss\(eol)"
            body += "--alt-\(index)\(eol)Content-Type: text/html; charset=utf-8\(eol)\(eol)<html><body><p>\(sentence(6))</p></body></html>\(eol)"
            body += "--alt-\(index)--\(eol)"
            bytes = Array((header.joined(separator: eol) + eol + eol + body).utf8)
        case 2:
            hasAttachment = true
            header.append("Content-Type: multipart/mixed; boundary=\"mix-\(index)\"")
            var attachment: [UInt8] = []
            for _ in 0..<int(200..<3_000) { attachment.append(UInt8(truncatingIfNeeded: next())) }
            let encoded = Data(attachment).base64EncodedString(options: [.lineLength76Characters, crlf ? .endLineWithCarriageReturn : .endLineWithLineFeed])
            var body = "--mix-\(index)\(eol)Content-Type: text/plain; charset=utf-8\(eol)Content-Transfer-Encoding: 8bit\(eol)\(eol)"
            body += bodyText(&self) + "Ünïcødé 8-bit line ✓\(eol)"
            body += "--mix-\(index)\(eol)Content-Type: application/octet-stream\(eol)"
            body += "Content-Disposition: attachment;\(eol) filename=\"data-\(index).bin\"\(eol)Content-Transfer-Encoding: base64\(eol)\(eol)"
            body += encoded + "\(eol)--mix-\(index)--\(eol)"
            bytes = Array((header.joined(separator: eol) + eol + eol + body).utf8)
        default:
            bytes = Array((header.joined(separator: eol) + eol + eol + bodyText(&self)).utf8)
        }
        return Message(bytes: bytes, sender: sender, date: date, subject: subject, hasAttachment: hasAttachment, fromLinesInBody: fromLines)
    }

    static func rfc5322(seconds: Int) -> String {
        // Reuse the mbox asctime pieces: "Www Mmm dd hh:mm:ss yyyy" -> "Www, dd Mmm yyyy hh:mm:ss +0000".
        let parts = asctimeParts(seconds)
        return "\(parts.day), \(parts.date) \(parts.month) \(parts.year) \(parts.time) +0000"
    }

    private static func asctimeParts(_ seconds: Int) -> (day: String, date: Int, month: String, year: Int, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return (days[c.weekday! - 1], c.day!, months[c.month! - 1], c.year!, String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!))
    }

    /// The corpus as an mboxrd file, written independently of `MboxFormat` (quoting by hand).
    static func mbox(_ messages: [Message]) -> [UInt8] {
        var output: [UInt8] = []
        for message in messages {
            let parts = asctimeParts(Int(message.date.timeIntervalSince1970))
            let day = parts.date < 10 ? " \(parts.date)" : "\(parts.date)"
            output += Array("From \(message.sender) \(parts.day) \(parts.month) \(day) \(parts.time) \(parts.year)\n".utf8)
            var lineStart = 0
            let bytes = message.bytes
            while lineStart < bytes.count {
                let lineEnd = bytes[lineStart...].firstIndex(of: 0x0a).map { $0 + 1 } ?? bytes.count
                let line = bytes[lineStart..<lineEnd]
                let stripped = line.drop { $0 == UInt8(ascii: ">") }
                if stripped.starts(with: Array("From ".utf8)) { output.append(UInt8(ascii: ">")) }
                output += line
                lineStart = lineEnd
            }
            output.append(0x0a)
        }
        return output
    }
}
