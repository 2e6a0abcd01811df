import Foundation

/// Internationalised domain names as DNS and SMTP carry them: IDNA A-labels (`xn--…`).
///
/// The mapping is the practical core of IDNA2008/UTS 46: Unicode full stops (U+3002,
/// U+FF0E, U+FF61) separate labels, labels are NFC-normalised and lowercased, non-ASCII
/// labels become `xn--` + Punycode, and every label is checked for length and for the
/// letters-digits-hyphen rule. Every Unicode label, whether given in Unicode or decoded
/// from an `xn--` label, must be a U-label that round-trips (RFC 5891 section 5.4): no
/// controls, format or bidi controls, separators, private-use, unassigned or noncharacter
/// code points, no leading combining mark, no hyphen first, last or in positions 3-4, and
/// an `xn--` label must decode to something that is not plain ASCII and encodes back to
/// itself. It does not apply the IDNA2008 per-code-point tables or the RFC 5893 bidi rule,
/// which need Unicode data Foundation does not expose (it accepts some code points that
/// registries refuse); registries enforce those anyway.
public enum DomainName {
    /// What ``toASCII(_:allowUnderscore:)`` accepts.
    public struct Rules: Sendable {
        /// Allow `_` in labels (service names such as `_dmarc`, `_domainkey`). Default: false.
        public var allowUnderscore = false
        /// Allow a single trailing dot (a fully qualified name). Default: true.
        public var allowTrailingDot = true
        /// The defaults above.
        public init() {}
    }

    /// The A-label form of `name`: lowercase ASCII, `xn--` labels for Unicode ones, no
    /// trailing dot.
    /// - Throws: ``IDNAError`` naming the label at fault.
    public static func toASCII(_ name: String, rules: Rules = Rules()) throws(IDNAError) -> String {
        var text = name
        for stop in ["\u{3002}", "\u{FF0E}", "\u{FF61}"] { text = text.replacingOccurrences(of: stop, with: ".") }
        if rules.allowTrailingDot, text.hasSuffix("."), text.count > 1 { text.removeLast() }
        guard !text.isEmpty else { throw IDNAError.empty }
        var labels: [String] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            labels.append(try asciiLabel(String(label), rules: rules))
        }
        let result = labels.joined(separator: ".")
        guard result.utf8.count <= 253 else {
            throw IDNAError.nameTooLong.with(message: "the domain name is \(result.utf8.count) bytes long; at most 253 are allowed")
        }
        return result
    }

    /// The Unicode form of an A-label name, for display; labels that are not valid A-labels
    /// (bad Punycode, or decoding to something ``toASCII(_:rules:)`` would refuse) are left
    /// as they are, so a display never shows what the name does not say.
    public static func toUnicode(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { label -> String in
            let lower = label.lowercased()
            guard lower.hasPrefix("xn--"), let decoded = try? uLabel(fromALabel: lower, raw: String(label)) else {
                return String(label)
            }
            return decoded
        }.joined(separator: ".")
    }

    private static func asciiLabel(_ raw: String, rules: Rules) throws(IDNAError) -> String {
        guard !raw.isEmpty else { throw IDNAError.emptyLabel }
        let label = raw.precomposedStringWithCanonicalMapping.lowercased()
        let ascii: String
        if label.unicodeScalars.allSatisfy({ $0.isASCII }) {
            ascii = label
            if ascii.hasPrefix("xn--") { _ = try uLabel(fromALabel: ascii, raw: raw) }
        } else {
            try checkULabel(label)
            guard let encoded = Punycode.encode(label) else {
                throw IDNAError.invalidPunycode.with(message: "the label \(raw) cannot be encoded")
            }
            ascii = "xn--" + encoded
        }
        guard ascii.utf8.count <= maxLabelLength else {
            throw IDNAError.labelTooLong.with(message: "the label \(raw) is \(ascii.utf8.count) bytes long; at most \(maxLabelLength) are allowed")
        }
        for byte in ascii.utf8 {
            let allowed =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || (rules.allowUnderscore && byte == UInt8(ascii: "_"))
            guard allowed else {
                throw IDNAError.invalidCharacter.with(message: "the label \(raw) contains a character not allowed in a domain name")
            }
        }
        guard !ascii.hasPrefix("-"), !ascii.hasSuffix("-") else {
            throw IDNAError.invalidHyphen.with(message: "the label \(raw) starts or ends with a hyphen")
        }
        let bytes = Array(ascii.utf8)
        if bytes.count >= 4, bytes[2] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: "-"), !ascii.hasPrefix("xn--") {
            throw IDNAError.invalidHyphen.with(message: "the label \(raw) has hyphens in positions 3 and 4 but is not an xn-- label")
        }
        return ascii
    }
}
