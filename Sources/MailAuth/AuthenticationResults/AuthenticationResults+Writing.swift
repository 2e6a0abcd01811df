import Foundation

extension AuthenticationResults {
    /// The longest line the writer produces when every word fits (RFC 5322 section 2.1.1's
    /// recommendation); a single word longer than that stays on a line of its own.
    public static let foldingColumn = 78

    /// The whole field, folded: `Authentication-Results: id;` then each method result
    /// on its own continuation line, words moved to a new line before column 78, lines
    /// ending in CRLF (the last one too). Values are quoted where they are not tokens;
    /// methods, results and property names are written as keywords (see ``keyword(_:)``).
    public func fieldText() -> String {
        var lines: [String] = []
        var line = Self.fieldName + ":"
        func add(_ word: String, separatedBy separator: String = " ") {
            let lineHasWords = !line.allSatisfy { $0 == " " || $0 == "\t" }
            if lineHasWords, line.count + separator.count + word.count > Self.foldingColumn {
                lines.append(line)
                line = "\t" + word
            } else {
                line += separator + word
            }
        }
        var head = Self.value(authservID)
        if let version { head += " \(version)" }
        add(head + ";")
        if results.isEmpty {
            add("none")
        }
        for (index, result) in results.enumerated() {
            lines.append(line)
            line = "\t"
            var words: [String] = []
            var methodWord = Self.keyword(result.method)
            if let methodVersion = result.methodVersion { methodWord += "/\(methodVersion)" }
            words.append(methodWord + "=" + Self.keyword(result.result))
            if let comment = result.comment, !comment.isEmpty { words.append("(" + Self.commentText(comment) + ")") }
            if let reason = result.reason { words.append("reason=" + Self.value(reason)) }
            for property in result.properties {
                words.append(Self.keyword(property.type) + "." + Self.keyword(property.name) + "=" + Self.propertyValue(property.value))
            }
            if index < results.count - 1 { words[words.count - 1] += ";" }
            for (position, word) in words.enumerated() { add(word, separatedBy: position == 0 ? "" : " ") }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// ``fieldText()`` as bytes, ready to prepend to a message.
    public func fieldBytes() -> [UInt8] { Array(fieldText().utf8) }

    /// The value after the colon, unfolded (one line, no CRLF).
    public func valueText() -> String {
        let text = fieldText()
        let unfolded = text.replacingOccurrences(of: "\r\n\t", with: " ").replacingOccurrences(of: "\r\n", with: "")
        return String(unfolded.dropFirst(Self.fieldName.count + 1).drop { $0 == " " })
    }

    /// The method results after the authserv-id, on one line (`spf=pass
    /// smtp.mailfrom=example.org; dkim=pass header.d=example.org`; `none` for none): the
    /// payload of an ARC-Authentication-Results field (RFC 8617 section 4.1.1), which
    /// ``ARCSealer/seal(_:authenticationResults:chainValidation:)`` takes.
    public func resultsText() -> String {
        let value = valueText()
        guard let separator = value.firstIndex(of: ";") else { return "none" }
        return String(value[value.index(after: separator)...].drop { $0 == " " })
    }

    /// `text` as a keyword (letters, digits, `-`, `_`): methods, results, property types
    /// and names come from the caller's code and should be keywords already; any other
    /// character is dropped (an empty keyword becomes `unknown`), so the field we write
    /// always parses.
    static func keyword(_ text: String) -> String {
        let kept = text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
        return kept.isEmpty ? "unknown" : String(String.UnicodeScalarView(kept))
    }

    /// A `value` (RFC 2045): the bare token when it is one, else a quoted string.
    static func value(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy(isTokenScalar) { return text }
        return quoted(text)
    }

    /// A property value: a token, an address-like `[local-part]@domain` or a domain name
    /// as they stand (RFC 8601's `pvalue`), anything else quoted.
    static func propertyValue(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy(isTokenScalar) { return text }
        if isAddressLike(text) { return text }
        return quoted(text)
    }

    private static func isAddressLike(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let domain = parts.last, !domain.isEmpty else { return false }
        let domainOK = domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
        }
        let local = parts[0]
        let localOK = local.unicodeScalars.allSatisfy { isAtomScalar($0) || $0 == "." } && !local.hasPrefix(".") && !local.hasSuffix(".")
            && !local.contains("..")
        return domainOK && localOK
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\": out += "\\" + String(scalar)
            case "\r", "\n": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Comment text with its parentheses and backslashes escaped, line breaks made spaces.
    static func commentText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "(", ")", "\\": out += "\\" + String(scalar)
            case "\r", "\n": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// RFC 2045 token characters: printable ASCII but space and tspecials.
    static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value > 0x20, scalar.value < 0x7f else { return false }
        return !"()<>@,;:\\\"/[]?=".unicodeScalars.contains(scalar)
    }

    /// RFC 5322 atext (for unquoted local parts).
    static func isAtomScalar(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value > 0x20, scalar.value < 0x7f else { return false }
        return !"()<>[]:;@\\,.\"".unicodeScalars.contains(scalar)
    }
}
