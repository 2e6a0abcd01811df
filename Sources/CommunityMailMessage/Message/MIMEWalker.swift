import Foundation

/// Walks a MIME tree gathering text; what ``MailMessage/textContent(limit:maximumDepth:)`` runs.
package struct MIMEWalker {
    let limit: Int
    let maximumDepth: Int
    var text = ""
    var hasAttachment = false

    init(limit: Int, maximumDepth: Int) {
        self.limit = limit
        self.maximumDepth = maximumDepth
    }

    mutating func walk(_ entity: ArraySlice<UInt8>, header: HeaderBlock, depth: Int) {
        guard depth <= maximumDepth else { return }
        let body = entity[header.end...]
        let contentType = HeaderBlock.parameters(of: header.first("content-type") ?? "text/plain")
        let disposition = HeaderBlock.parameters(of: header.first("content-disposition") ?? "")
        let isAttachment =
            disposition.main == "attachment" || disposition.parameters["filename"] != nil
            || contentType.parameters["name"] != nil
        if contentType.main.hasPrefix("multipart/"), let boundary = contentType.parameters["boundary"], !boundary.isEmpty {
            for part in Self.parts(of: body, boundary: Array("--\(boundary)".utf8)).parts {
                walk(part, header: HeaderBlock(part), depth: depth + 1)
            }
            return
        }
        if isAttachment {
            hasAttachment = true
            return
        }
        if contentType.main == "message/rfc822" {
            walk(body, header: HeaderBlock(body), depth: depth + 1)
            return
        }
        let isHTML = contentType.main == "text/html"
        guard contentType.main == "text/plain" || isHTML || contentType.main.isEmpty || !contentType.main.contains("/"),
            text.utf8.count < limit
        else { return }
        let encoding = (header.first("content-transfer-encoding") ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let bytes: [UInt8] =
            switch encoding {
            case "base64": TransferDecoding.base64(body)
            case "quoted-printable": TransferDecoding.quotedPrintable(body)
            default: Array(body)
            }
        var decoded = CharsetDecoder.decode(bytes, charset: contentType.parameters["charset"])
        if isHTML { decoded = Self.strippingTags(decoded) }
        if !text.isEmpty { text += "\n" }
        text += decoded.count > limit ? String(decoded.prefix(limit)) : decoded
    }

    /// The body parts between `--boundary` lines (the preamble and epilogue are dropped),
    /// at most `limit` of them: the scan stops at the delimiter that ends the `limit`th part,
    /// and `more` says whether another part follows it (as it would have been returned
    /// without the limit), so a body of millions of delimiter lines costs at most `limit`
    /// slices. `limit` below 1 counts as 1.
    package static func parts(
        of body: ArraySlice<UInt8>, boundary: [UInt8], limit: Int = .max
    ) -> (parts: [ArraySlice<UInt8>], more: Bool) {
        let limit = max(1, limit)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            var lineEnd = index
            while lineEnd < body.endIndex, body[lineEnd] != 0x0a { lineEnd += 1 }
            let next = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
            // Every delimiter starts with `--`: two byte checks spare most lines the comparison.
            if lineEnd - index >= boundary.count, boundary.count < 2 || (body[index] == boundary[0] && body[index + 1] == boundary[1]),
                body[index..<(index + boundary.count)].elementsEqual(boundary)
            {
                if let start = partStart {
                    // The line break before the delimiter belongs to the delimiter.
                    var end = index
                    if end > start, body[end - 1] == 0x0a { end -= 1 }
                    if end > start, body[end - 1] == 0x0d { end -= 1 }
                    parts.append(body[start..<end])
                }
                let after = index + boundary.count
                if after + 1 < body.endIndex, body[after] == UInt8(ascii: "-"), body[after + 1] == UInt8(ascii: "-") {
                    return (parts, false)
                }
                if parts.count == limit {
                    // A part follows unless the body ends here (an empty last part is dropped below).
                    return (parts, next < body.endIndex)
                }
                partStart = next
            }
            index = next
        }
        // No closing delimiter: a truncated message; keep the last part anyway.
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return (parts, false)
    }

    /// HTML as text: tags, scripts and styles dropped, common entities decoded.
    static func strippingTags(_ html: String) -> String {
        var result = ""
        result.reserveCapacity(html.utf8.count)
        var inTag = false
        var tagName = ""
        var tagNameDone = false
        var skipping: String?
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tagName.lowercased()
                    if name == "script" || name == "style" { skipping = name } else if name == "/\(skipping ?? "")" { skipping = nil }
                    result.append(" ")
                } else if character.isWhitespace || character == "/" && !tagName.isEmpty {
                    tagNameDone = true
                } else if !tagNameDone, tagName.count < 10 {
                    tagName.append(character)
                }
            } else if character == "<" {
                inTag = true
                tagName = ""
                tagNameDone = false
            } else if skipping == nil {
                result.append(character)
            }
        }
        return decodingEntities(result)
    }

    private static let namedEntities: [String: String] = [
        "nbsp": " ", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "amp": "&", "eacute": "é", "egrave": "è",
        "agrave": "à", "ccedil": "ç", "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß", "euro": "€", "copy": "©",
    ]

    /// `&name;`, `&#123;` and `&#x7B;` replaced by their characters; unknown ones kept.
    static func decodingEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let after = rest.index(after: ampersand)
            guard let semicolon = rest[after...].prefix(10).firstIndex(of: ";") else {
                result.append("&")
                rest = rest[after...]
                continue
            }
            let name = rest[after..<semicolon]
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = namedEntities[name.lowercased()]
            }
            if let replacement {
                result += replacement
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result.append("&")
                rest = rest[after...]
            }
        }
        result += rest
        return result
    }
}
