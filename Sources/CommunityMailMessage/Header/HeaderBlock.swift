import Foundation

/// The header block of a message or MIME part: its bytes exactly as received and its fields
/// parsed. Lines that are not fields (no colon, a name with spaces or controls, a stray
/// `From ` line, a continuation line with no field before it) are kept in ``rawBytes`` but
/// belong to no field, so broken headers never stop parsing and never change a byte.
public struct HeaderBlock: Sendable, Hashable {
    /// The fields in order, each with its raw bytes and its parsed view.
    public private(set) var fields: [HeaderField] = []
    /// The header block exactly as received, blank line included (when there is one): a
    /// slice of the parsed bytes, so the body starts at `rawBytes.endIndex`.
    public let rawBytes: ArraySlice<UInt8>

    /// Index just after the blank line that ends the header (or the end of the input when
    /// there is none): where the body starts.
    package var end: Int { rawBytes.endIndex }

    /// Parses the header block at the start of `bytes`; the block ends after the first
    /// empty line (CRLF or bare LF), or at the end of `bytes` when there is none.
    public init(_ bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        var end = bytes.endIndex
        var fields: [HeaderField] = []
        var fieldStart = index
        var currentName: String?
        var currentValue: [UInt8] = []
        func flush(upTo fieldEnd: Int) {
            if let name = currentName {
                // Spaces and tabs trimmed as bytes; Foundation's trimming (slow) only for
                // other Unicode whitespace left at an end.
                var start = currentValue.startIndex
                var end = currentValue.endIndex
                while start < end, currentValue[start] == 0x20 || currentValue[start] == 0x09 { start += 1 }
                while end > start, currentValue[end - 1] == 0x20 || currentValue[end - 1] == 0x09 { end -= 1 }
                var value = CharsetDecoder.fallback(currentValue[start..<end])
                if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last, !first.isASCII || !last.isASCII {
                    value = value.trimmingCharacters(in: .whitespaces)
                }
                fields.append(HeaderField(rawBytes: bytes[fieldStart..<fieldEnd], name: name, unfoldedValue: value))
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
                flush(upTo: index)
                end = next
                break
            }
            let first = bytes[index]
            if first == 0x20 || first == 0x09 {
                if currentName != nil { currentValue.append(contentsOf: bytes[index..<contentEnd]) }
            } else {
                flush(upTo: index)
                if let colon = bytes[index..<contentEnd].firstIndex(of: UInt8(ascii: ":")) {
                    // RFC 5322 section 4.5.3 (obs-optional): whitespace may sit before the colon.
                    var nameEnd = colon
                    while nameEnd > index, bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                    let name = bytes[index..<nameEnd]
                    // A field name is printable ASCII without spaces; anything else is not a field.
                    if !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) {
                        currentName = String(decoding: name, as: UTF8.self)
                        currentValue.append(contentsOf: bytes[(colon + 1)..<contentEnd])
                        fieldStart = index
                    }
                }
            }
            index = next
        }
        flush(upTo: index)
        self.fields = fields
        self.rawBytes = bytes[bytes.startIndex..<end]
    }

    /// The unfolded value of the first field named `name` (any case), or nil.
    public func first(_ name: String) -> String? {
        let lowercased = name.lowercased()
        return fields.first { $0.lowercasedName == lowercased }?.unfoldedValue
    }

    /// The unfolded values of every field named `name` (any case), in order.
    public func all(_ name: String) -> [String] {
        let lowercased = name.lowercased()
        return fields.filter { $0.lowercasedName == lowercased }.map(\.unfoldedValue)
    }

    /// A structured value such as `text/plain; charset="utf-8"`: the lowercased main part
    /// and its parameters (names lowercased, RFC 2231 `*` sections folded into the base name).
    public static func parameters(of value: String) -> (main: String, parameters: [String: String]) {
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
    public static func messageIDs(in value: String?) -> [String] {
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
