public import CommunityMailMessage

extension IMAPBodyStructure {
    /// The deepest MIME nesting described; deeper parts are described as opaque
    /// `application/octet-stream` leaves, so a hostile message cannot recurse without end.
    public static let maximumDepth = 50

    /// The structure of `message` (RFC 9051 section 7.5.2, RFC 2045/2046 defaults):
    /// Content-Type and parameters as sent (`text/plain; charset=us-ascii` when absent,
    /// `message/rfc822` inside multipart/digest), sizes in octets as stored, line counts
    /// for text and message parts.
    public init(message: MailMessage) {
        self = Self.structure(of: message.bytes[...], header: message.header, depth: 0, inDigest: false)
    }

    static func structure(of entity: ArraySlice<UInt8>, header: HeaderBlock, depth: Int, inDigest: Bool) -> IMAPBodyStructure {
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
        if lowerType == "multipart", depth < maximumDepth,
            let boundary = parameters.first(where: { $0.name.lowercased() == "boundary" })?.value, !boundary.isEmpty
        {
            let isDigest = subtype.lowercased() == "digest"
            let parts = MIMEWalker.parts(of: body, boundary: Array("--\(boundary)".utf8)).map { part in
                structure(of: part, header: HeaderBlock(part), depth: depth + 1, inDigest: isDigest)
            }
            if !parts.isEmpty {
                return .multipart(IMAPMultipartBody(parts: parts, subtype: subtype, parameters: parameters, extensions: extensions))
            }
        }
        if lowerType == "multipart" && depth < maximumDepth {
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
        if depth >= maximumDepth || (lowerType == "multipart") {
            // Too deep, or a multipart with no usable boundary: an opaque leaf.
            part.type = "application"
            part.subtype = "octet-stream"
        } else if lowerType == "text" {
            part.kind = .text(lines: lineCount(body))
        } else if lowerType == "message" && (lowerSubtype == "rfc822" || lowerSubtype == "global") {
            let embedded = HeaderBlock(body)
            part.kind = .message(
                IMAPEnvelope(header: embedded), structure(of: body, header: embedded, depth: depth + 1, inDigest: false),
                lines: lineCount(body))
        }
        return .single(part)
    }

    /// The size of `body` with every bare LF counted as CRLF: the size the part has on the
    /// wire (RFC 9051 sizes are of the CRLF form; Dovecot counts the same way).
    static func virtualSize(_ body: ArraySlice<UInt8>) -> UInt64 {
        var size = UInt64(body.count)
        var previous: UInt8 = 0
        for byte in body {
            if byte == 0x0a && previous != 0x0d { size += 1 }
            previous = byte
        }
        return size
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
