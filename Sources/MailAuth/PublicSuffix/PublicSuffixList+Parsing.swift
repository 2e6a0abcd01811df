import CommunityMailIDNA

extension PublicSuffixList {
    /// Parses list text in the Public Suffix List format: one rule a line, read up to the
    /// first whitespace; `//` comment lines; `*.` wildcard and `!` exception rules;
    /// Unicode rules turned into A-labels; the ICANN and PRIVATE sections told apart by
    /// their `===BEGIN … DOMAINS===` markers.
    /// - Throws: ``MailAuthError/limitExceeded`` for text over
    ///   ``Configuration/maximumTextLength``; ``MailAuthError/invalidRecord`` when the text
    ///   holds no rule at all (an empty or unrelated file).
    public convenience init(text: String, configuration: Configuration = Configuration()) throws(MailAuthError) {
        guard text.utf8.count <= configuration.maximumTextLength else {
            throw MailAuthError.limitExceeded.with(message: "the public suffix list is larger than \(configuration.maximumTextLength) bytes")
        }
        var exact = Set<String>()
        var wildcards = Set<String>()
        var exceptions = Set<String>()
        var ignored = 0
        var section = Section.unmarked
        // Byte by byte: the list is ~14,000 lines, and Character iteration (grapheme
        // breaking) costs ten times more. CR, LF and CRLF all end lines.
        for rawLine in text.utf8.split(omittingEmptySubsequences: true, whereSeparator: { $0 == 0x0a || $0 == 0x0d }) {
            let line = rawLine.drop { $0 == 0x20 || $0 == 0x09 }
            if line.starts(with: "//".utf8) {
                let comment = String(decoding: line, as: UTF8.self)
                if comment.contains("===BEGIN ICANN DOMAINS===") {
                    section = .icann
                } else if comment.contains("===BEGIN PRIVATE DOMAINS===") {
                    section = .private
                } else if comment.contains("===END ICANN DOMAINS===") || comment.contains("===END PRIVATE DOMAINS===") {
                    section = .unmarked
                }
                continue
            }
            // "Each line is only read up to the first whitespace" (the list's format).
            let ruleBytes = line.prefix { $0 != 0x20 && $0 != 0x09 }
            guard !ruleBytes.isEmpty else { continue }
            guard configuration.sections.contains(section) else { continue }
            switch Self.parseRule(Substring(String(decoding: ruleBytes, as: UTF8.self))) {
            case .exact(let name): exact.insert(name)
            case .wildcard(let parent): wildcards.insert(parent)
            case .exception(let name): exceptions.insert(name)
            case nil: ignored += 1
            }
        }
        guard !(exact.isEmpty && wildcards.isEmpty && exceptions.isEmpty) else {
            throw MailAuthError.invalidRecord.with(message: "the public suffix list holds no rule")
        }
        self.init(exactRules: exact, wildcardParents: wildcards, exceptionRules: exceptions, ignoredLineCount: ignored)
    }

    private enum Rule {
        case exact(String)
        case wildcard(String)
        case exception(String)
    }

    /// One rule in A-label form, or nil when it cannot be read. A wildcard is only
    /// understood as the leftmost label (the only place the list uses it).
    private static func parseRule(_ text: Substring) -> Rule? {
        if text.hasPrefix("!") {
            guard let name = normalisedName(text.dropFirst()) else { return nil }
            return .exception(name)
        }
        if text.hasPrefix("*.") {
            guard let parent = normalisedName(text.dropFirst(2)) else { return nil }
            return .wildcard(parent)
        }
        guard let name = normalisedName(text) else { return nil }
        return .exact(name)
    }

    /// A-label, lowercase, no trailing dot; nil for an empty label, a wildcard anywhere
    /// else, or a name IDNA refuses.
    static func normalisedName(_ text: Substring) -> String? {
        guard !text.isEmpty else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var ascii = true
        var labelLength = 0
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            let lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            guard isNameByte(lower) else { return nil }
            if lower == UInt8(ascii: ".") {
                guard labelLength > 0 else { return nil }  // a leading dot or an empty label
                labelLength = 0
            } else {
                labelLength += 1
                guard labelLength <= 63 else { return nil }
            }
            bytes.append(lower)
        }
        if ascii {
            guard labelLength > 0, bytes.count <= 253 else { return nil }  // no trailing dot, no overlong name
            return String(decoding: bytes, as: UTF8.self)
        }
        var rules = DomainName.Rules()
        rules.allowTrailingDot = false
        rules.allowUnderscore = true
        return try? DomainName.toASCII(String(text), rules: rules)
    }

    /// Letters, digits, hyphen, underscore and the dot: what an A-label name is made of.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
            UInt8(ascii: "."):
            true
        default: false
        }
    }
}
