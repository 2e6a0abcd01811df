public import CommunityMailMessage
import EncryptedMailbox

extension IMAPBodyStructure {
    /// The deepest MIME nesting described; deeper parts are described as opaque
    /// `application/octet-stream` leaves, so a hostile message cannot recurse without end.
    public static let maximumDepth = 50

    /// The most MIME entities one message is split into (the message itself, its body
    /// parts and embedded messages), counted in the order they stand in the message, by
    /// BODYSTRUCTURE, BODY[section], BINARY and SEARCH alike, so part numbers always agree.
    /// Where the budget runs out, the part being split holds the rest of its multipart (to
    /// the end of the multipart's body) as one leaf; later part numbers do not exist.
    /// 10,000, as Dovecot 2.3's `max_total_mime_parts`, with the same cut: a message of
    /// 12,000 parts is described with 9,999, the last holding the rest. Without it, a 50 MB
    /// body of delimiter lines would be millions of parts (and the multipart is not split
    /// past the budget: its delimiters beyond it are never sliced). When the budget runs
    /// out inside nested multiparts, each enclosing one still adds a leaf holding its own
    /// rest, so a message can have up to ``maximumDepth`` entities more than this.
    public static let maximumParts = 10_000

    /// The structure of `message` (RFC 9051 section 7.5.2, RFC 2045/2046 defaults):
    /// Content-Type and parameters as sent (`text/plain; charset=us-ascii` when absent,
    /// `message/rfc822` inside multipart/digest), sizes in octets in CRLF form (each bare LF
    /// counted as CRLF, as BODY[section] sends it: ``MessageSize``), line counts for text
    /// and message parts.
    /// At most ``maximumParts`` entities are described (plus one rest leaf per enclosing
    /// multipart cut short, see ``maximumParts``) and ``maximumDepth`` levels deep.
    public init(message: MailMessage) {
        // The message itself is the first entity.
        var budget = Self.maximumParts - 1
        self = Self.structure(of: message.bytes[...], header: message.header, depth: 0, inDigest: false, opaque: false, budget: &budget)
    }

    /// The structure of the entity at the start of `entity`; its parts take from `budget`,
    /// which this entity has already been charged for. An `opaque` entity is a leaf
    /// whatever its type.
    static func structure(
        of entity: ArraySlice<UInt8>, header: HeaderBlock, depth: Int, inDigest: Bool, opaque: Bool, budget: inout Int
    ) -> IMAPBodyStructure {
        let body = entity[header.end...]
        let contentType = header.first("content-type").flatMap(IMAPContentType.init)
        let type = contentType?.type ?? (inDigest ? "message" : "text")
        let subtype = contentType?.subtype ?? (inDigest ? "rfc822" : "plain")
        var parameters = contentType?.parameters ?? (inDigest ? [] : [IMAPBodyParameter("charset", "us-ascii")])
        // A text part without parameters is us-ascii (RFC 2045 section 5.2); Dovecot says so.
        if parameters.isEmpty && type.lowercased() == "text" { parameters = [IMAPBodyParameter("charset", "us-ascii")] }
        let extensions = IMAPBodyExtension(
            disposition: header.first("content-disposition").flatMap(IMAPContentType.disposition),
            language: header.first("content-language").map { value in
                value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            }.flatMap { $0.isEmpty ? nil : $0 },
            location: header.first("content-location"))
        let lowerType = type.lowercased()
        let expands = !opaque && depth < maximumDepth
        if lowerType == "multipart", expands,
            let boundary = parameters.first(where: { $0.name.lowercased() == "boundary" })?.value, !boundary.isEmpty
        {
            let isDigest = subtype.lowercased() == "digest"
            // No more parts than the budget can take are sliced: where it runs out, the
            // last one holds the rest (the loop below stops there whatever the nesting).
            let (found, more) = MIMEWalker.parts(of: body, boundary: Array("--\(boundary)".utf8), limit: budget)
            var parts: [IMAPBodyStructure] = []
            parts.reserveCapacity(found.count)
            for (position, part) in found.enumerated() {
                budget -= 1
                if budget <= 0 && (position + 1 < found.count || more) {
                    // The budget is spent: this part holds the rest of the multipart, as one leaf.
                    let rest = body[part.startIndex...]
                    parts.append(structure(of: rest, header: HeaderBlock(rest), depth: depth + 1, inDigest: isDigest, opaque: true, budget: &budget))
                    break
                }
                parts.append(structure(of: part, header: HeaderBlock(part), depth: depth + 1, inDigest: isDigest, opaque: budget < 0, budget: &budget))
            }
            if !parts.isEmpty {
                return .multipart(IMAPMultipartBody(parts: parts, subtype: subtype, parameters: parameters, extensions: extensions))
            }
        }
        if lowerType == "multipart" && expands {
            budget -= 1
            // No boundary, or no part found: one empty text part, as Dovecot describes it
            // (a multipart must have at least one part).
            let empty = IMAPBodyStructure.single(
                IMAPBodyPart(type: "text", subtype: "plain", parameters: [IMAPBodyParameter("charset", "us-ascii")], size: 0, kind: .text(lines: 0)))
            return .multipart(IMAPMultipartBody(parts: [empty], subtype: subtype, parameters: parameters, extensions: extensions))
        }
        var part = IMAPBodyPart(
            type: type, subtype: subtype, parameters: parameters, id: header.first("content-id"),
            description: header.first("content-description"),
            encoding: header.first("content-transfer-encoding").map { $0.trimmingSpaces() }.flatMap { $0.isEmpty ? nil : $0 } ?? "7bit",
            size: virtualSize(body), md5: header.first("content-md5"), extensions: extensions)
        let lowerSubtype = subtype.lowercased()
        let embedsMessage = lowerType == "message" && (lowerSubtype == "rfc822" || lowerSubtype == "global")
        if depth >= maximumDepth || lowerType == "multipart" || (opaque && embedsMessage) {
            // Too deep, a multipart with no usable boundary, or a message not split for
            // want of budget: an opaque leaf (a message part must describe its message).
            part.type = "application"
            part.subtype = "octet-stream"
        } else if lowerType == "text" {
            part.kind = .text(lines: lineCount(body))
        } else if embedsMessage {
            let embedded = HeaderBlock(body)
            budget -= 1
            part.kind = .message(
                IMAPEnvelope(header: embedded),
                structure(of: body, header: embedded, depth: depth + 1, inDigest: false, opaque: budget < 0, budget: &budget),
                lines: lineCount(body))
        }
        return .single(part)
    }

    /// The size of `body` with every bare LF counted as CRLF: the size the part has on the
    /// wire (RFC 9051 sizes are of the CRLF form; Dovecot counts the same way).
    static func virtualSize(_ body: ArraySlice<UInt8>) -> UInt64 {
        UInt64(MessageSize.inRFC5322Form(body))
    }

    /// Lines of `body`: its LFs (a last line without one does not count, as in Dovecot).
    static func lineCount(_ body: ArraySlice<UInt8>) -> UInt64 {
        var lines: UInt64 = 0
        for byte in body where byte == 0x0a { lines += 1 }
        return lines
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
