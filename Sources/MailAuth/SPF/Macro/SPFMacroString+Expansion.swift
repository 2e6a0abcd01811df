extension SPFMacroString {
    /// The string with every macro expanded (RFC 7208 section 7.3): split on the
    /// delimiters, reversed with `r`, the right-hand parts kept, joined with `.`, and
    /// URL-escaped when the letter is upper case.
    /// - Returns: nil when the expansion would exceed `limit` bytes (hostile records
    ///   repeat long macros thousands of times).
    func expanded(with context: SPFMacroContext, limit: Int) -> [UInt8]? {
        var output: [UInt8] = []
        for token in tokens {
            switch token {
            case .literal(let text):
                output += text
            case .macro(let macro):
                let value = Array(context.value(of: macro.letter).utf8)
                // A value longer than the limit cannot fit; do not even split it.
                guard value.count <= limit else { return nil }
                var parts = value.split(omittingEmptySubsequences: false) { macro.delimiters.contains($0) }
                if macro.reverses { parts.reverse() }
                if let keep = macro.rightmostParts, keep < parts.count { parts = Array(parts.suffix(keep)) }
                let joined = Array(parts.joined(separator: [UInt8(ascii: ".")]))
                if macro.escapes {
                    for byte in joined {
                        if SPFCharacters.isUnreserved(byte) {
                            output.append(byte)
                        } else {
                            output += [UInt8(ascii: "%"), Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]]
                        }
                    }
                } else {
                    output += joined
                }
            }
            guard output.count <= limit else { return nil }
        }
        return output
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
