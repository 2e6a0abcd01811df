/// The OpenID links of an HTML page's head (section 7.3.3) and the Yadis
/// `<meta http-equiv="X-XRDS-Location">`, found by a small tag scanner that needs no HTML
/// parser and stops at the body.
struct HTMLDiscoveryDocument {
    /// `openid2.provider`'s href.
    private(set) var provider: String?
    /// `openid2.local_id`'s href.
    private(set) var localID: String?
    /// The Yadis location given by a meta element.
    private(set) var xrdsLocation: String?

    init(html: String) {
        let bytes = Array(html.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if Self.hasPrefix(bytes, at: index, "<!--") {
                index = Self.find(bytes, "-->", from: index + 4).map { $0 + 3 } ?? bytes.count
                continue
            }
            let (name, attributes, next) = Self.readTag(bytes, at: index + 1)
            index = next
            switch name {
            case "link":
                let rels = (attributes["rel"] ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
                guard let href = attributes["href"] else { continue }
                if rels.contains("openid2.provider"), provider == nil { provider = href }
                if rels.contains("openid2.local_id"), localID == nil { localID = href }
            case "meta":
                if attributes["http-equiv"]?.lowercased() == "x-xrds-location", xrdsLocation == nil {
                    xrdsLocation = attributes["content"]
                }
            case "body", "/head":
                return
            case "script", "style":
                index = Self.find(bytes, "</\(name)", from: index) ?? bytes.count
            default:
                break
            }
        }
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return index + p.count <= bytes.count && Array(bytes[index..<index + p.count]) == p
    }

    private static func find(_ bytes: [UInt8], _ needle: String, from start: Int) -> Int? {
        let n = Array(needle.utf8)
        guard n.count <= bytes.count else { return nil }
        var index = start
        while index + n.count <= bytes.count {
            if bytes[index] == n[0], Array(bytes[index..<index + n.count]).map(lower) == n.map(lower) { return index }
            index += 1
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C }

    /// Reads a tag starting after `<`: its lowercased name, attributes, and the index after `>`.
    private static func readTag(_ bytes: [UInt8], at start: Int) -> (String, [String: String], Int) {
        var index = start
        var name: [UInt8] = []
        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") {
            if bytes[index] == UInt8(ascii: "/"), !name.isEmpty { break }
            name.append(lower(bytes[index]))
            index += 1
        }
        var attributes: [String: String] = [:]
        while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
            if isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/") {
                index += 1
                continue
            }
            var key: [UInt8] = []
            while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ">") {
                key.append(lower(bytes[index]))
                index += 1
            }
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                    let quote = bytes[index]
                    index += 1
                    while index < bytes.count, bytes[index] != quote {
                        value.append(bytes[index])
                        index += 1
                    }
                    index += 1
                } else {
                    while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") {
                        value.append(bytes[index])
                        index += 1
                    }
                }
            }
            if !key.isEmpty, attributes[String(decoding: key, as: UTF8.self)] == nil {
                attributes[String(decoding: key, as: UTF8.self)] = decodeEntities(String(decoding: value, as: UTF8.self))
            }
        }
        return (String(decoding: name, as: UTF8.self), attributes, min(index + 1, bytes.count))
    }

    /// Decodes the character references an attribute value may hold.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semi) <= 10 else {
                out += "&"
                rest = after
                continue
            }
            let entity = after[..<semi]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let value = named[String(entity)] {
                out += value
            } else if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                out.unicodeScalars.append(scalar)
            } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "&" + entity + ";"
            }
            rest = after[after.index(after: semi)...]
        }
        return out + rest
    }
}
