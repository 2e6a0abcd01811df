extension DMARCRecord {
    /// The largest record text parsed, in characters: DNS gives at most 64 KiB of TXT
    /// data at one name, and a real record is a few hundred bytes.
    public static let maximumTextLength = 65_536

    /// Whether `text` starts with the version tag (`v=DMARC1`, spaces allowed around `=`):
    /// the test of RFC 7489 section 6.6.3, step 2, for which TXT records are DMARC records.
    public static func isDMARCRecord(_ text: String) -> Bool {
        guard let first = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first else { return false }
        let parts = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return trimmed(parts[0]) == "v" && trimmed(parts[1]) == "DMARC1" && !first.hasPrefix(" ") && !first.hasPrefix("\t")
    }

    /// Parses a DMARC record.
    /// - Throws: ``MailAuthError/invalidRecord`` when the text is not a DMARC record (no
    ///   `v=DMARC1` first), when a tag has no `=`, or when the record has no valid `p`
    ///   (nor valid `sp`) and no valid `rua` URI to fall back on; ``MailAuthError/limitExceeded``
    ///   over ``maximumTextLength``.
    public init(parsing text: String) throws(MailAuthError) {
        guard text.count <= Self.maximumTextLength else {
            throw MailAuthError.limitExceeded.with(message: "the DMARC record is longer than \(Self.maximumTextLength) characters")
        }
        guard Self.isDMARCRecord(text) else {
            throw MailAuthError.invalidRecord.with(message: "the record does not start with v=DMARC1")
        }
        var policy: Policy?
        var policyInvalid = false
        var subdomainPolicy: Policy?
        var subdomainPolicyInvalid = false
        var record = DMARCRecord(policy: .none)
        var seen = Set<String>()
        for (index, spec) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() where index > 0 {
            if spec.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) { continue }
            let parts = spec.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw MailAuthError.invalidRecord.with(message: "tag \(index + 1) of the DMARC record has no '='")
            }
            let name = Self.trimmed(parts[0]).lowercased()
            let value = Self.trimmed(parts[1])
            // A repeated tag: the first counts (a record is a set of tags).
            guard seen.insert(name).inserted else { continue }
            switch name {
            case "p":
                policy = Policy(rawValue: value.lowercased())
                policyInvalid = policy == nil
            case "sp":
                subdomainPolicy = Policy(rawValue: value.lowercased())
                subdomainPolicyInvalid = subdomainPolicy == nil
            case "pct":
                if value.count <= 3, value.allSatisfy(\.isASCIIDigit), let number = Int(value), number <= 100 {
                    record.percentage = number
                }
            case "adkim":
                if let alignment = Alignment(rawValue: value.lowercased()) { record.dkimAlignment = alignment }
            case "aspf":
                if let alignment = Alignment(rawValue: value.lowercased()) { record.spfAlignment = alignment }
            case "rua":
                record.aggregateReportURIs = Self.uris(value)
            case "ruf":
                record.failureReportURIs = Self.uris(value)
            case "fo":
                let options = Self.list(value, separator: ":").map { $0.lowercased() }
                if !options.isEmpty, options.allSatisfy({ ["0", "1", "d", "s"].contains($0) }) { record.failureReportingOptions = options }
            case "rf":
                let formats = Self.list(value, separator: ":").map { $0.lowercased() }
                if !formats.isEmpty, formats.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCIIKeywordCharacter } }) {
                    record.reportFormats = formats
                }
            case "ri":
                if value.count <= 10, value.allSatisfy(\.isASCIIDigit), let seconds = UInt32(value) { record.reportInterval = seconds }
            default:
                break  // unknown tags (np, psd, t of DMARCbis; anything else) are ignored
            }
        }
        if let policy, !subdomainPolicyInvalid {
            record.policy = policy
            record.subdomainPolicy = subdomainPolicy
        } else if record.aggregateReportURIs.contains(where: Self.isValidReportURI) {
            // RFC 7489 section 6.6.3, step 6: act as if p=none had been published.
            record.policy = .none
            record.subdomainPolicy = nil
            record.policyWasMissing = true
        } else {
            let what = policy == nil ? (policyInvalid ? "an invalid p tag" : "no p tag") : "an invalid sp tag"
            throw MailAuthError.invalidRecord.with(message: "the DMARC record has \(what) and no valid rua URI")
        }
        self = record
    }

    /// A `rua`/`ruf` URI that follows RFC 7489's `dmarc-uri` (a URI with a scheme, an
    /// optional `!size` suffix): enough to tell a real reporting address from noise.
    static func isValidReportURI(_ uri: String) -> Bool {
        guard let colon = uri.firstIndex(of: ":"), colon > uri.startIndex else { return false }
        let scheme = uri[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return false }
        let rest = uri[uri.index(after: colon)...]
        return !rest.isEmpty && !rest.contains(where: { $0 == " " || $0 == "\t" || $0 == ";" || !$0.isASCII || $0.asciiValue.map { $0 < 0x21 } == true })
    }

    private static func uris(_ value: String) -> [String] { list(value, separator: ",").filter { !$0.isEmpty } }

    private static func list(_ value: String, separator: Character) -> [String] {
        value.split(separator: separator, omittingEmptySubsequences: false).map { trimmed($0) }
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }.reversed())
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIIKeywordCharacter: Bool { isASCII && (isLetter || isNumber || self == "-") }
}
