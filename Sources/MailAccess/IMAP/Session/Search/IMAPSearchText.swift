import CommunityMailMessage
import Foundation

/// The searchable text of one message, parsed lazily and at most once: header values with
/// RFC 2047 encoded words decoded, and the decoded text of its text parts (base64 and
/// quoted-printable undone, charsets turned into UTF-8).
final class IMAPSearchText {
    private let content: [UInt8]
    private let hasBody: Bool
    private var parsedMessage: IMAPMessageEntity?

    /// `content` is the whole message when `hasBody`, else its header.
    init(content: [UInt8], hasBody: Bool) {
        self.content = content
        self.hasBody = hasBody
    }

    private var message: IMAPMessageEntity {
        if let parsedMessage { return parsedMessage }
        let entity = IMAPMessageEntity(content[...], inDigest: false, depth: 0)
        parsedMessage = entity
        return entity
    }

    /// Whether the message surely does not hold `needle` anywhere, header or body, decoded
    /// or not: a cheap test on the stored bytes that spares the full parse for most
    /// messages a BODY or TEXT search passes over. See ``IMAPRawText``.
    func surelyLacks(_ needle: IMAPTextNeedle) -> Bool {
        guard needle.allowsRawRejection else { return false }
        if rawIsLiteral == nil { rawIsLiteral = IMAPRawText.isLiteral(content) }
        guard rawIsLiteral == true else { return false }
        return !needle.found(inASCII: content[...])
    }

    private var rawIsLiteral: Bool?

    /// Whether a field named `name` (lowercased) holds `needle` in its decoded value; an
    /// empty needle matches any message with such a field.
    func headerContains(_ name: String, _ needle: IMAPTextNeedle) -> Bool {
        message.header.fields.contains { field in
            guard field.lowercasedName == name else { return false }
            if needle.isEmpty { return true }
            // Without an encoded word the decoded value is the unfolded one (no decoding pass).
            return needle.found(in: field.rawBytes.contains(UInt8(ascii: "?")) ? field.decodedValue : field.unfoldedValue)
        }
    }

    /// Whether any header field of the message, of its MIME parts and of its embedded
    /// messages holds `needle` (as `Name: value`), or the decoded text of a text part does:
    /// TEXT. One walk over the parts.
    func anyTextContains(_ needle: IMAPTextNeedle) -> Bool {
        if Self.headerHolds(message.header, needle) { return true }
        guard hasBody else { return false }
        return walk(message, needle, headers: true)
    }

    /// Whether the decoded text of a text part holds `needle`: BODY.
    func bodyContains(_ needle: IMAPTextNeedle) -> Bool {
        guard hasBody else { return false }
        if needle.isEmpty { return true }
        return walk(message, needle, headers: false)
    }

    /// The date of the Date field as written (RFC 9051: SENT* disregard time and zone);
    /// 1-Jan-1970 for a message without a Date field that parses, as Dovecot takes it.
    var sentDate: IMAPDate {
        message.header.first("date").flatMap(Self.writtenDate) ?? IMAPDate(year: 1970, month: 1, day: 1)
    }

    /// Whether a field of `header`, as `Name: decoded value`, holds `needle` (TEXT looks
    /// at names too, as Dovecot does).
    private static func headerHolds(_ header: HeaderBlock, _ needle: IMAPTextNeedle) -> Bool {
        let rawMatches = needle.allowsRawRejection && !needle.bytes.contains(UInt8(ascii: ":"))
        for field in header.fields {
            if rawMatches && isLiteral(field.rawBytes) {
                // A needle without whitespace or colon lies within the name or within the
                // value, and a literal field's bytes hold both as they are: no strings built.
                if needle.found(inASCII: field.rawBytes) { return true }
                continue
            }
            if needle.found(in: field.name + ": " + field.decodedValue) { return true }
        }
        return false
    }

    /// Whether a field's bytes are its text: 7-bit, no encoded word.
    private static func isLiteral(_ bytes: ArraySlice<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte >= 0x80 || (previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?")) { return false }
            previous = byte
        }
        return true
    }

    /// Visits the entity's parts depth first (bounded by the structure's maximum depth):
    /// the text bodies and, with `headers`, the headers below the top one.
    private func walk(_ entity: IMAPMessageEntity, _ needle: IMAPTextNeedle, headers: Bool) -> Bool {
        if entity.isMultipart {
            for part in entity.parts {
                if headers && Self.headerHolds(part.header, needle) { return true }
                if walk(part, needle, headers: headers) { return true }
            }
            return false
        }
        if entity.isEmbeddedMessage {
            let embedded = entity.embeddedMessage
            if headers && Self.headerHolds(embedded.header, needle) { return true }
            return walk(embedded, needle, headers: headers)
        }
        guard entity.type == "text" else { return false }
        return needle.found(in: decodedPart(entity))
    }

    /// The text parts decoded so far, by where they start in the message.
    private var decodedParts: [Int: IMAPDecodedPart] = [:]

    /// A text part's body, transfer encoding and charset undone: decoded once per message.
    private func decodedPart(_ entity: IMAPMessageEntity) -> IMAPDecodedPart {
        if let part = decodedParts[entity.bytes.startIndex] { return part }
        let charset = entity.charset
        let decoded: [UInt8]?
        switch entity.transferEncoding {
        case "base64": decoded = TransferDecoding.base64(entity.body)
        case "quoted-printable": decoded = TransferDecoding.quotedPrintable(entity.body)
        default: decoded = nil
        }
        let name = (charset ?? "").trimmingSpaces().lowercased()
        let utf8: ArraySlice<UInt8>
        if Self.isUTF8Compatible(name) {
            utf8 = decoded.map { $0[...] } ?? entity.body
        } else {
            utf8 = Array(CharsetDecoder.decode(decoded.map { $0[...] } ?? entity.body, charset: charset).utf8)[...]
        }
        let part = IMAPDecodedPart(utf8: utf8)
        decodedParts[entity.bytes.startIndex] = part
        return part
    }

    /// Charsets whose bytes are UTF-8 as they are (or fall back to it).
    private static func isUTF8Compatible(_ name: String) -> Bool {
        name.isEmpty || name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii"
    }

    /// The calendar date written in a Date value, whatever its zone, or nil.
    static func writtenDate(_ value: String) -> IMAPDate? {
        // Parse it with the zone dropped: the wall-clock time as if it were UTC.
        var cleaned = ""
        var depth = 0
        for character in value {
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) } else if depth == 0 {
                cleaned.append(character == "," ? " " : character)
            }
        }
        var tokens = cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        if let first = tokens.first, first.count >= 3, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(first.prefix(3).lowercased()) {
            tokens.removeFirst()
        }
        guard tokens.count >= 4, let instant = MailDateParser.parse(tokens.prefix(4).joined(separator: " ") + " +0000") else { return nil }
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))
        let civil = MailDateParser.civil(fromSeconds: seconds)
        return IMAPDate(year: civil.year, month: civil.month, day: civil.day)
    }
}
