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
        message.header.fields.contains { $0.lowercasedName == name && needle.found(in: $0.decodedValue) }
    }

    /// Whether any field of the message's header holds `needle`, or any header of its MIME
    /// parts and embedded messages.
    func anyHeaderContains(_ needle: IMAPTextNeedle) -> Bool {
        if Self.headerHolds(message.header, needle) { return true }
        guard hasBody else { return false }
        return Self.walk(message, needle, headers: true, isTop: true)
    }

    /// Whether the decoded text of a text part holds `needle`.
    func bodyContains(_ needle: IMAPTextNeedle) -> Bool {
        guard hasBody else { return false }
        if needle.isEmpty { return true }
        return Self.walk(message, needle, headers: false, isTop: true)
    }

    /// The date of the Date field as written (RFC 9051: SENT* disregard time and zone);
    /// 1-Jan-1970 for a message without a Date field that parses, as Dovecot takes it.
    var sentDate: IMAPDate {
        message.header.first("date").flatMap(Self.writtenDate) ?? IMAPDate(year: 1970, month: 1, day: 1)
    }

    /// Whether a field of `header`, as `Name: decoded value`, holds `needle` (TEXT looks
    /// at names too, as Dovecot does).
    private static func headerHolds(_ header: HeaderBlock, _ needle: IMAPTextNeedle) -> Bool {
        header.fields.contains { needle.found(in: $0.name + ": " + $0.decodedValue) }
    }

    /// Visits the entity's parts depth first (bounded by the structure's maximum depth):
    /// with `headers`, only the headers below the top one; otherwise the text bodies.
    private static func walk(_ entity: IMAPMessageEntity, _ needle: IMAPTextNeedle, headers: Bool, isTop: Bool) -> Bool {
        if headers && !isTop && headerHolds(entity.header, needle) { return true }
        if entity.isMultipart {
            return entity.parts.contains { walk($0, needle, headers: headers, isTop: false) }
        }
        if entity.isEmbeddedMessage {
            let embedded = entity.embeddedMessage
            if headers && headerHolds(embedded.header, needle) { return true }
            return walk(embedded, needle, headers: headers, isTop: true)
        }
        guard !headers, entity.type == "text" else { return false }
        return textHolds(entity, needle)
    }

    /// Whether a text part's decoded body holds `needle`.
    private static func textHolds(_ entity: IMAPMessageEntity, _ needle: IMAPTextNeedle) -> Bool {
        let charset = entity.charset
        let decoded: [UInt8]?
        switch entity.transferEncoding {
        case "base64": decoded = TransferDecoding.base64(entity.body)
        case "quoted-printable": decoded = TransferDecoding.quotedPrintable(entity.body)
        default: decoded = nil
        }
        let name = (charset ?? "").trimmingSpaces().lowercased()
        if isUTF8Compatible(name) {
            if let decoded { return decoded.withUnsafeBufferPointer { needle.found(inUTF8: $0) } }
            return needle.found(inUTF8: entity.body)
        }
        let text = CharsetDecoder.decode(decoded.map { $0[...] } ?? entity.body, charset: charset)
        return needle.found(in: text)
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
