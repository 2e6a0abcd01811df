public import Foundation

/// A plain-text RFC 5322 message built for sending, with the SMTP envelope beside it:
/// CRLF lines, `Subject:`, the `From:` display name and extra header values as RFC 2047
/// encoded words when they are not printable ASCII (folded so no encoded word passes 75
/// characters), and a UTF-8 body in quoted-printable.
///
/// ```swift
/// let message = try OutgoingMessage(
///     from: "noreply@ubuntu.com", fromName: "Ubuntu", to: ["alice@ubuntu.com"],
///     subject: "Your address is ready", body: "Hello", date: Date())
/// // message.data parses back with MailMessage(message.data)
/// ```
public struct OutgoingMessage: Sendable, Hashable {
    /// The envelope sender (SMTP `MAIL FROM`), the `From:` address.
    public let envelopeSender: String
    /// The envelope recipients (SMTP `RCPT TO`), the `To:` addresses.
    public let envelopeRecipients: [String]
    /// The message, CRLF line endings, not yet dot-stuffed.
    public let data: [UInt8]

    /// Builds the message.
    /// - Parameters:
    ///   - from: the sender's address; the `From:` address and the envelope sender.
    ///   - fromName: the `From:` display name.
    ///   - recipients: the `To:` addresses and envelope recipients; at least one.
    ///   - subject: the `Subject:`, any text (line breaks in it are encoded, never written).
    ///   - body: the text; any line endings become CRLF.
    ///   - date: the `Date:`.
    ///   - extraHeaders: more fields, `(name, value)`, written after the standard ones.
    /// - Throws: ``MailMessageError/invalidAddress`` when an address is not usable (see
    ///   ``isUsableInEnvelope(_:)``) or there are no recipients;
    ///   ``MailMessageError/invalidHeader`` when an extra field name is not a field name.
    public init(
        from: String, fromName: String, to recipients: [String], subject: String, body: String, date: Date,
        headers extraHeaders: [(String, String)] = []
    ) throws(MailMessageError) {
        for address in [from] + recipients {
            guard OutgoingMessage.isUsableInEnvelope(address) else {
                // The address itself stays out of the error: it may be personal, or hostile.
                throw MailMessageError.invalidAddress.with(message: "an address of the message cannot be used in an SMTP envelope")
            }
        }
        guard !recipients.isEmpty else { throw MailMessageError.invalidAddress.with(message: "a message needs at least one recipient") }
        for (name, _) in extraHeaders where !OutgoingMessage.isFieldName(name) {
            throw MailMessageError.invalidHeader
        }
        envelopeSender = from
        envelopeRecipients = recipients
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        var lines = [
            "Date: \(OutgoingMessage.rfc5322Date(date))",
            "From: \(OutgoingMessage.displayName(fromName)) <\(from)>",
            "To: \(recipients.joined(separator: ", "))",
            "Subject: \(OutgoingMessage.encodeWords(subject, after: "Subject: ".count))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        lines += extraHeaders.map { "\($0.0): \(OutgoingMessage.encodeWords($0.1, after: $0.0.utf8.count + 2))" }
        let head = lines.joined(separator: "\r\n") + "\r\n\r\n"
        data = Array(head.utf8) + OutgoingMessage.quotedPrintable(body)
    }

    /// True when `address` can sit inside `<…>` in an SMTP command and in a header: an `@`
    /// with something on both sides, at most 254 octets, and no CR, LF, angle brackets,
    /// spaces or other controls. The one envelope rule: CommunityMailSMTP's `SMTPMessage`
    /// checks addresses with it too.
    public static func isUsableInEnvelope(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard (3...254).contains(bytes.count), let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1
        else { return false }
        return !bytes.contains { $0 < 0x21 || $0 == 0x7f || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
    }

    /// RFC 5322 `ftext`: printable ASCII but the colon, at least one character.
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 76 && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ":") }
    }

    /// A `From:` display name as RFC 5322 allows it: printable ASCII as it is, or as a
    /// quoted string when it holds specials (a comma or an `@` would otherwise read as
    /// another address); anything else as encoded words.
    static func displayName(_ name: String) -> String {
        let plain = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        guard plain, name.utf8.count <= 900 else { return encodeWords(name, after: "From: ".count) }
        guard name.contains(where: { "()<>[]:;@\\,.\"".contains($0) }) else { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Longest encoded word RFC 2047 section 2 allows.
    static let maximumEncodedWordLength = 75

    /// `text` as is when it is printable ASCII that fits a line, else as RFC 2047 B-encoded
    /// words of at most 75 characters, folded onto continuation lines (CRLF and a space),
    /// each holding whole characters. `column` is where the value starts on its line.
    static func encodeWords(_ text: String, after column: Int) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        if plain && column + text.utf8.count <= 998 { return text }
        // "=?utf-8?B?" + base64 + "?=": 12 characters around 4 per 3 bytes; 45 bytes make
        // 60 characters, 72 in all. The first word shares its line with the field name, so
        // it is shorter, to keep that line within 78 characters.
        let wrapperLength = "=?utf-8?B??=".count
        let wordBytes = (maximumEncodedWordLength - wrapperLength) / 4 * 3
        let firstWordBytes = min(wordBytes, max(3, (78 - column - wrapperLength) / 4 * 3))
        var words: [String] = []
        var chunk: [UInt8] = []
        var maximumBytes: Int { words.isEmpty ? firstWordBytes : wordBytes }
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maximumBytes {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk.removeAll(keepingCapacity: true)
            }
            // A single character longer than a word (a long run of combining marks) is split
            // by scalars: the decoder joins adjacent words' bytes before decoding them.
            if bytes.count > maximumBytes {
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if !chunk.isEmpty && chunk.count + scalarBytes.count > maximumBytes {
                        words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                        chunk.removeAll(keepingCapacity: true)
                    }
                    chunk += scalarBytes
                }
            } else {
                chunk += bytes
            }
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
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

    /// `date` as an RFC 5322 date-time in UTC: `Sat, 03 Jan 2026 01:05:34 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
