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
        let rawLabels = text.split(separator: ".", omittingEmptySubsequences: false)
        // Lengths first, in linear time: Punycode and normalisation cost more than linear
        // time, so nothing too long to fit is ever handed to them.
        for (index, label) in rawLabels.enumerated() where label.utf8.count > maxRawLabelLength {
            throw IDNAError.labelTooLong.with(
                message: "label \(index + 1) is \(label.utf8.count) bytes long; no label that long fits \(maxLabelLength) octets")
        }
        guard text.utf8.count <= maxRawNameLength else {
            throw IDNAError.nameTooLong.with(message: "the domain name is \(text.utf8.count) bytes long; no name that long fits 253 octets")
        }
        var labels: [String] = []
        for (index, label) in rawLabels.enumerated() {
            labels.append(try asciiLabel(String(label), position: index + 1, rules: rules))
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
        name.split(separator: ".", omittingEmptySubsequences: false).enumerated().map { index, label -> String in
            let lower = label.lowercased()
            guard lower.hasPrefix("xn--"), let decoded = try? uLabel(fromALabel: lower, position: index + 1) else {
                return String(label)
            }
            return decoded
        }.joined(separator: ".")
    }

    /// Raw labels and names longer than these cannot fit 63 and 253 octets, whatever
    /// normalisation does to them (NFC composes at most a few code points into one).
    static let maxRawLabelLength = 1024
    static let maxRawNameLength = 4096
    /// A U-label of more non-ASCII code points, or more UTF-8 bytes, cannot become an
    /// A-label of 63 octets: `xn--` takes 4, and each code point at least one more.
    static let maxULabelScalars = 59
    static let maxULabelBytes = 252

    /// Messages name the label by its `position`, never its text (the sender's, which may
    /// hold line breaks or bidi controls).
    private static func asciiLabel(_ raw: String, position: Int, rules: Rules) throws(IDNAError) -> String {
        guard !raw.isEmpty else { throw IDNAError.emptyLabel }
        let label = raw.precomposedStringWithCanonicalMapping.lowercased()
        let ascii: String
        if label.unicodeScalars.allSatisfy({ $0.isASCII }) {
            ascii = label
            guard ascii.utf8.count <= maxLabelLength else { throw tooLong(position, ascii.utf8.count) }
            if ascii.hasPrefix("xn--") { _ = try uLabel(fromALabel: ascii, position: position) }
        } else {
            guard label.utf8.count <= maxULabelBytes, label.unicodeScalars.count <= maxULabelScalars else {
                throw IDNAError.labelTooLong.with(
                    message: "label \(position) has \(label.unicodeScalars.count) code points; no A-label of \(maxLabelLength) octets holds that many")
            }
            try checkULabel(label)
            guard let encoded = Punycode.encode(label) else {
                throw IDNAError.invalidPunycode.with(message: "label \(position) cannot be encoded")
            }
            ascii = "xn--" + encoded
        }
        guard ascii.utf8.count <= maxLabelLength else { throw tooLong(position, ascii.utf8.count) }
        for byte in ascii.utf8 {
            let allowed =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || (rules.allowUnderscore && byte == UInt8(ascii: "_"))
            guard allowed else {
                throw IDNAError.invalidCharacter.with(
                    message: "label \(position) contains the byte 0x\(String(byte, radix: 16, uppercase: true)), not allowed in a domain name")
            }
        }
        guard !ascii.hasPrefix("-"), !ascii.hasSuffix("-") else {
            throw IDNAError.invalidHyphen.with(message: "label \(position) starts or ends with a hyphen")
        }
        let bytes = Array(ascii.utf8)
        if bytes.count >= 4, bytes[2] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: "-"), !ascii.hasPrefix("xn--") {
            throw IDNAError.invalidHyphen.with(message: "label \(position) has hyphens in positions 3 and 4 but is not an xn-- label")
        }
        return ascii
    }

    private static func tooLong(_ position: Int, _ length: Int) -> IDNAError {
        IDNAError.labelTooLong.with(message: "label \(position) is \(length) bytes long; at most \(maxLabelLength) are allowed")
    }
}
