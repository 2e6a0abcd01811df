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
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("//") {
                if line.contains("===BEGIN ICANN DOMAINS===") {
                    section = .icann
                } else if line.contains("===BEGIN PRIVATE DOMAINS===") {
                    section = .private
                } else if line.contains("===END ICANN DOMAINS===") || line.contains("===END PRIVATE DOMAINS===") {
                    section = .unmarked
                }
                continue
            }
            // (`isNewline` also splits CRLF, which Swift holds as one Character.)
        // "Each line is only read up to the first whitespace" (the list's format).
            let rule = line.prefix { $0 != " " && $0 != "\t" }
            guard !rule.isEmpty else { continue }
            guard configuration.sections.contains(section) else { continue }
            switch Self.parseRule(rule) {
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
        guard !text.isEmpty, !text.contains("*"), !text.contains("!") else { return nil }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let lower = text.lowercased()
            guard lower.utf8.count <= 253, !lower.hasPrefix("."), !lower.hasSuffix("."), !lower.contains(".."),
                lower.utf8.allSatisfy({ isNameByte($0) }),
                lower.split(separator: ".").allSatisfy({ $0.utf8.count <= 63 })
            else { return nil }
            return lower
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
