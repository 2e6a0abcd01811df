/// Folds a signature field (DKIM-Signature, ARC-Message-Signature, ARC-Seal) the way this
/// library writes them: tags separated by "; ", a line break before a tag that would pass
/// 78 columns, `h=` folded between names, the base64 `b=` value wrapped last.
enum SignatureFieldFolding {
    /// The widest line written.
    static let lineWidth = 78

    /// `prefix` (`DKIM-Signature:`), then the tags joined by `; `, then `; h=` with
    /// `headerNames` joined by `:` (no `h=` when `headerNames` is nil). The result ends
    /// without a `;`: the caller appends `;` and the remaining tags (`bh=`, `b=`).
    static func fold(prefix: String, tags: [String], headerNames: [String]?) -> String {
        var output = prefix
        var column = prefix.count
        for tag in tags {
            let piece = tag + ";"
            if column + 1 + piece.count > lineWidth {
                output += "\r\n "
                column = 1
            } else {
                output += " "
                column += 1
            }
            output += piece
            column += piece.count
        }
        guard let headerNames else { return output.hasSuffix(";") ? String(output.dropLast()) : output }
        if column + 3 > lineWidth {
            output += "\r\n "
            column = 1
        } else {
            output += " "
            column += 1
        }
        output += "h="
        column += 2
        for (index, name) in headerNames.enumerated() {
            let piece = (index > 0 ? ":" : "") + name
            if column + piece.count > lineWidth {
                output += "\r\n "
                column = 1
            }
            output += piece
            column += piece.count
        }
        return output
    }

    /// Base64 text wrapped so each line stays within the width (FWS inside `b=` is
    /// allowed); `firstLineUsed` is how many columns the first line already has.
    static func wrap(_ text: String, firstLineUsed: Int) -> String {
        var output = ""
        var remaining = Substring(text)
        var room = lineWidth - firstLineUsed
        while !remaining.isEmpty {
            let piece = remaining.prefix(max(1, room))
            output += piece
            remaining = remaining.dropFirst(piece.count)
            if !remaining.isEmpty {
                output += "\r\n "
                room = lineWidth - 1
            }
        }
        return output
    }
}
