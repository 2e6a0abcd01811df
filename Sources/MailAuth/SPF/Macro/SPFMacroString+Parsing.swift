extension SPFMacroString {
    /// The most parts a transformer may keep; larger numbers keep all of them (RFC 7208
    /// section 7.3 asks for at least 128).
    static let maximumParts = 128

    /// Parses `bytes` as a macro-string, or as an explain-string when `isExplanation`
    /// (spaces and the `c`, `r`, `t` letters allowed).
    /// - Throws: ``SPFSyntaxError`` for a `%` not starting `%{`, `%%`, `%_` or `%-`, an
    ///   unknown or misplaced letter, a zero part count, or a byte outside `%x21-7E`.
    init(parsing bytes: some Collection<UInt8>, isExplanation: Bool) throws(SPFSyntaxError) {
        let input = Array(bytes)
        var tokens: [Token] = []
        var literal: [UInt8] = []
        var index = 0
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = []
        }
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "%") else {
                guard (0x21...0x7E).contains(byte) || (isExplanation && byte == 0x20) else {
                    throw SPFSyntaxError("a character outside visible ASCII")
                }
                literal.append(byte)
                index += 1
                continue
            }
            guard index + 1 < input.count else { throw SPFSyntaxError("a '%' at the end of a macro string") }
            switch input[index + 1] {
            case UInt8(ascii: "%"): literal.append(UInt8(ascii: "%"))
            case UInt8(ascii: "_"): literal.append(0x20)
            case UInt8(ascii: "-"): literal += Array("%20".utf8)
            case UInt8(ascii: "{"):
                guard let close = input[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw SPFSyntaxError("an unterminated macro")
                }
                flush()
                tokens.append(.macro(try Self.macro(input[(index + 2)..<close], isExplanation: isExplanation)))
                index = close + 1
                continue
            default: throw SPFSyntaxError("a '%' not followed by '{', '%', '_' or '-'")
            }
            index += 2
        }
        flush()
        self.init(tokens: tokens)
    }

    /// The inside of `%{...}`: letter, digits, `r`, delimiters.
    private static func macro(_ body: ArraySlice<UInt8>, isExplanation: Bool) throws(SPFSyntaxError) -> SPFMacro {
        guard let first = body.first else { throw SPFSyntaxError("an empty macro") }
        let lower = first | 0x20
        guard SPFCharacters.isLetter(first), let letter = SPFMacro.Letter(rawValue: lower) else {
            throw SPFSyntaxError("an unknown macro letter")
        }
        guard isExplanation || !letter.isExplanationOnly else {
            throw SPFSyntaxError("the c, r and t macros outside explanation text")
        }
        var index = body.index(after: body.startIndex)
        var digits: Int?
        while index < body.endIndex, (0x30...0x39).contains(body[index]) {
            // Saturate: any count of at least maximumParts keeps every part.
            digits = min((digits ?? 0) * 10 + Int(body[index] - 0x30), maximumParts * 10)
            index += 1
        }
        if digits == 0 { throw SPFSyntaxError("a macro keeping zero parts") }
        var reverses = false
        if index < body.endIndex, body[index] | 0x20 == UInt8(ascii: "r") {
            reverses = true
            index += 1
        }
        var delimiters: [UInt8] = []
        let allowed = Array(".-+,/_=".utf8)
        while index < body.endIndex {
            guard allowed.contains(body[index]) else { throw SPFSyntaxError("an invalid macro delimiter") }
            if !delimiters.contains(body[index]) { delimiters.append(body[index]) }
            index += 1
        }
        return SPFMacro(
            letter: letter, escapes: first != lower, rightmostParts: digits.map { min($0, maximumParts) }, reverses: reverses,
            delimiters: delimiters.isEmpty ? [UInt8(ascii: ".")] : delimiters)
    }

    /// Parses a `domain-spec` (RFC 7208 section 7.1): a macro-string that ends in a macro or
    /// in `.` toplabel with an optional trailing dot.
    /// - Throws: ``SPFSyntaxError`` for an empty spec, bad macro syntax or a bad ending.
    init(domainSpec bytes: some Collection<UInt8>) throws(SPFSyntaxError) {
        guard !bytes.isEmpty else { throw SPFSyntaxError("an empty domain-spec") }
        try self.init(parsing: bytes, isExplanation: false)
        let ending: [UInt8]
        switch tokens.last {
        case .macro?, nil: return
        case .literal(let text)?:
            // `%%`, `%_` and `%-` are macro-expands too; a literal token that came only from
            // them ends in the right way, but it is merged here, so check the raw bytes.
            let raw = Array(bytes)
            if raw.count >= 2, raw[raw.count - 2] == UInt8(ascii: "%"), [UInt8(ascii: "%"), UInt8(ascii: "_"), UInt8(ascii: "-")]
                .contains(raw[raw.count - 1]), Self.endsInEscape(raw)
            {
                return
            }
            ending = text
        }
        var tail = ending[...]
        if tail.last == UInt8(ascii: ".") { tail = tail.dropLast() }
        guard let dot = tail.lastIndex(of: UInt8(ascii: ".")) else {
            throw SPFSyntaxError("a domain-spec that does not end in a top-level label")
        }
        guard Self.isTopLabel(tail[(dot + 1)...]) else { throw SPFSyntaxError("a domain-spec with an invalid top-level label") }
    }

    /// True when the `%` before the last byte of `raw` starts an escape (is not itself the
    /// second half of `%%`).
    private static func endsInEscape(_ raw: [UInt8]) -> Bool {
        var percents = 0
        var index = raw.count - 2
        while index >= 0, raw[index] == UInt8(ascii: "%") {
            percents += 1
            index -= 1
        }
        return percents % 2 == 1
    }

    /// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
    static func isTopLabel(_ label: some Collection<UInt8>) -> Bool {
        guard let first = label.first, let last = label.reversed().first, SPFCharacters.isAlphanumeric(first), SPFCharacters.isAlphanumeric(last)
        else { return false }
        guard label.allSatisfy({ SPFCharacters.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        return label.contains { SPFCharacters.isLetter($0) || $0 == UInt8(ascii: "-") }
    }
}
