import Foundation

/// The header fields of a message or MIME part, unfolded. Lines that are not fields
/// (no colon, or a stray `From ` line) are skipped, so broken headers never stop parsing.
struct HeaderBlock {
    /// Fields in order: lowercased name, unfolded raw value (8-bit bytes read as UTF-8,
    /// else ISO-8859-1; encoded words still encoded).
    private(set) var fields: [(name: String, value: String)] = []
    /// Index just after the blank line that ends the header (or the end of the input when
    /// there is none): where the body starts.
    private(set) var end: Int

    init(_ bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        var currentName: String?
        var currentValue: [UInt8] = []
        end = bytes.endIndex
        func flush(_ fields: inout [(name: String, value: String)]) {
            if let name = currentName {
                let value = CharsetDecoder.fallback(currentValue).trimmingCharacters(in: .whitespaces)
                fields.append((name, value))
            }
            currentName = nil
            currentValue.removeAll(keepingCapacity: true)
        }
        while index < bytes.endIndex {
            var lineEnd = index
            while lineEnd < bytes.endIndex, bytes[lineEnd] != 0x0a { lineEnd += 1 }
            let next = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
            var contentEnd = lineEnd
            if contentEnd > index, bytes[contentEnd - 1] == 0x0d { contentEnd -= 1 }
            if contentEnd == index {
                // The blank line: the header ends here.
                end = next
                break
            }
            let first = bytes[index]
            if first == 0x20 || first == 0x09 {
                if currentName != nil { currentValue.append(contentsOf: bytes[index..<contentEnd]) }
            } else {
                flush(&fields)
                if let colon = bytes[index..<contentEnd].firstIndex(of: UInt8(ascii: ":")) {
                    let name = bytes[index..<colon]
                    // A field name is printable ASCII without spaces; anything else is not a field.
                    if !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) {
                        currentName = String(decoding: name, as: UTF8.self).lowercased()
                        currentValue.append(contentsOf: bytes[(colon + 1)..<contentEnd])
                    }
                }
            }
            index = next
        }
        flush(&fields)
    }

    /// The first value of field `name` (lowercase).
    func first(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of field `name` (lowercase).
    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// A structured value such as `text/plain; charset="utf-8"`: the lowercased main part
    /// and its parameters (names lowercased, RFC 2231 `*` sections folded into the base name).
    static func parameters(of value: String) -> (main: String, parameters: [String: String]) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        let main = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            var name = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
            let parameterValue = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            parameters[name, default: ""] += parameterValue
        }
        return (main, parameters)
    }

    /// The message ids in a Message-ID, In-Reply-To or References value, without angle
    /// brackets; bare tokens when a broken value has no brackets at all.
    static func messageIDs(in value: String?) -> [String] {
        guard let value, !value.isEmpty else { return [] }
        var ids: [String] = []
        var current: String?
        for character in value {
            if character == "<" {
                current = ""
            } else if character == ">" {
                if let id = current?.trimmingCharacters(in: .whitespaces), !id.isEmpty { ids.append(id) }
                current = nil
            } else if current != nil {
                current?.append(character)
            }
        }
        if ids.isEmpty && !value.contains("<") {
            ids = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        }
        return ids
    }
}
