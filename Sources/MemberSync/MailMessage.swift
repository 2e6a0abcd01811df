import CommunityMailSMTP
import Foundation

/// An RFC 5322 message rendered for SMTP: CRLF lines, encoded-word subject, a UTF-8 text
/// body in quoted-printable, and the envelope beside it.
struct MailMessage: Sendable {
    let envelopeSender: String
    let envelopeRecipients: [String]
    /// The message, CRLF line endings, not yet dot-stuffed.
    let data: [UInt8]

    init(
        from: String, fromName: String, to recipients: [String], subject: String, body: String, date: Date,
        headers extraHeaders: [(String, String)] = []
    ) throws {
        for address in [from] + recipients {
            guard MailMessage.isUsableInEnvelope(address) else {
                // The address itself stays out of the message: it may be personal, or hostile.
                throw SMTPError.invalidAddress.with(message: "an address of the notice cannot be used in an SMTP envelope")
            }
        }
        guard !recipients.isEmpty else { throw SMTPError.invalidAddress.with(message: "a notice needs at least one recipient") }
        envelopeSender = from
        envelopeRecipients = recipients
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        var lines = [
            "Date: \(MailMessage.rfc5322Date(date))",
            "From: \(MailMessage.encodeWord(fromName)) <\(from)>",
            "To: \(recipients.joined(separator: ", "))",
            "Subject: \(MailMessage.encodeWord(subject))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        lines += extraHeaders.map { "\($0.0): \(MailMessage.encodeWord($0.1))" }
        let head = lines.joined(separator: "\r\n") + "\r\n\r\n"
        data = Array(head.utf8) + MailMessage.quotedPrintable(body)
    }

    /// No CR, LF, angle brackets or spaces, and an `@`: what can sit inside `<…>` in SMTP.
    static func isUsableInEnvelope(_ address: String) -> Bool {
        !address.isEmpty && address.contains("@") && address.utf8.count <= 254
            && !address.contains(where: { "\r\n<> \t".contains($0) })
    }

    /// RFC 2047 B-encoding when `text` is not plain printable ASCII.
    static func encodeWord(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        if plain { return text }
        return "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    /// Quoted-printable (RFC 2045) with CRLF hard breaks and soft breaks at 76 columns.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for (index, line) in normalised.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out += [13, 10] }
            var column = 0
            let bytes = Array(line.utf8)
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                let width = literal ? 1 : 3
                if column + width > 75 {
                    out += [UInt8(ascii: "="), 13, 10]
                    column = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
                }
                column += width
            }
        }
        // A message ends with a line break; a body that already ends with one keeps just it.
        if !out.suffix(2).elementsEqual([13, 10]) { out += [13, 10] }
        return out
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
