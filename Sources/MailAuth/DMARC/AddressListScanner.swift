/// Splits an RFC 5322 address list (`mailbox-list` / `address-list`) into the address
/// specifications it names, ignoring display names, comments and group names: just enough
/// to find DMARC's author domain. Bounded: one pass, comment nesting limited.
enum AddressListScanner {
    /// The deepest comment nesting read; deeper input is not an address list.
    static let maximumCommentDepth = 16

    /// The addr-specs in `value` (the text inside `<…>`, or the bare address), comments
    /// and quoted display names removed; nil when quotes, comments or angle brackets do
    /// not balance.
    static func addresses(in value: String) -> [String]? {
        var addresses: [String] = []
        var current = ""  // the mailbox outside comments, quotes kept (for local parts)
        var angle: String?  // the text inside <…> for this mailbox
        var insideAngle = false
        var depth = 0
        var inQuote = false
        var escaped = false
        func finish() {
            let bare = current.trimmingWhitespace()
            if let angle {
                addresses.append(angle.trimmingWhitespace())
            } else if !bare.isEmpty {
                addresses.append(bare)
            }
            current = ""
            angle = nil
        }
        for character in value {
            if escaped {
                escaped = false
                if insideAngle { angle?.append(character) } else if depth == 0 { current.append(character) }
                continue
            }
            if character == "\\" && (inQuote || depth > 0) {
                escaped = true
                continue
            }
            if inQuote {
                if character == "\"" { inQuote = false }
                if insideAngle { angle?.append(character) } else { current.append(character) }
                continue
            }
            if depth > 0 {
                if character == "(" {
                    depth += 1
                    if depth > maximumCommentDepth { return nil }
                } else if character == ")" {
                    depth -= 1
                }
                continue
            }
            switch character {
            case "(":
                depth = 1
            case "\"":
                inQuote = true
                if insideAngle { angle?.append(character) } else { current.append(character) }
            case "<":
                guard !insideAngle, angle == nil else { return nil }
                insideAngle = true
                angle = ""
            case ">":
                guard insideAngle else { return nil }
                insideAngle = false
            case "," where !insideAngle, ";" where !insideAngle:
                finish()
            case ":" where !insideAngle:
                // A group's display name ends here ("friends: a@x, b@y;"); a colon in a bare
                // address is not valid anyway.
                current = ""
                angle = nil
            default:
                if insideAngle { angle?.append(character) } else { current.append(character) }
            }
        }
        guard depth == 0, !inQuote, !insideAngle, !escaped else { return nil }
        finish()
        // A display name before <…> is dropped: only the angle text counts.
        return addresses
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
