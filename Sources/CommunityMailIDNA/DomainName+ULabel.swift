import Foundation

extension DomainName {
    /// Longest label in ASCII form, in octets (RFC 1035).
    static let maxLabelLength = 63

    /// The U-label an `xn--` label (lowercase) stands for, when it is a valid A-label: at
    /// most 63 octets, valid Punycode decoding to a label with at least one non-ASCII code
    /// point that passes ``checkULabel(_:)``, already NFC and lowercase, and encoding
    /// back to exactly this label (RFC 5891 section 5.4).
    /// - Throws: ``IDNAError`` naming the label by its `position` (1 for the first): never
    ///   its text, which is the sender's and may hold line breaks or bidi controls.
    static func uLabel(fromALabel label: String, position: Int) throws(IDNAError) -> String {
        // Before decoding: Punycode decoding is quadratic in the label's length.
        guard label.utf8.count <= maxLabelLength else {
            throw IDNAError.labelTooLong.with(message: "label \(position) is \(label.utf8.count) bytes long; at most \(maxLabelLength) are allowed")
        }
        let encoded = String(label.dropFirst(4))
        guard let decoded = Punycode.decode(encoded), !decoded.isEmpty else {
            throw IDNAError.invalidPunycode.with(message: "label \(position) is not valid Punycode")
        }
        // `xn--ubuntu-` decodes to `ubuntu`: a second spelling of an ASCII name.
        guard !decoded.unicodeScalars.allSatisfy({ $0.isASCII }) else {
            throw IDNAError.invalidPunycode.with(message: "label \(position) decodes to a plain ASCII label")
        }
        try checkULabel(decoded)
        // Compared by code point: String's `==` holds canonically equivalent strings equal.
        let normalized = decoded.precomposedStringWithCanonicalMapping.lowercased()
        guard normalized.unicodeScalars.elementsEqual(decoded.unicodeScalars), Punycode.encode(decoded) == encoded else {
            throw IDNAError.invalidPunycode.with(message: "label \(position) does not encode back to itself")
        }
        return decoded
    }

    /// Checks the rules of a U-label that need no Unicode tables (RFC 5891 section 4.2.3,
    /// RFC 5892's disallowed categories): no hyphen first, last or in positions 3-4; no
    /// combining mark first; no control, format (bidi controls, zero-width joiners),
    /// separator, private-use, surrogate, unassigned or noncharacter code points.
    /// - Throws: ``IDNAError/invalidHyphen`` or ``IDNAError/invalidCodePoint``; messages
    ///   name the code point in hex, never print it (it could be a bidi control).
    static func checkULabel(_ label: String) throws(IDNAError) {
        let scalars = Array(label.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last else { throw IDNAError.emptyLabel }
        guard first != "-", last != "-" else {
            throw IDNAError.invalidHyphen.with(message: "a Unicode label starts or ends with a hyphen")
        }
        if scalars.count >= 4, scalars[2] == "-", scalars[3] == "-" {
            throw IDNAError.invalidHyphen.with(message: "a Unicode label has hyphens in positions 3 and 4")
        }
        switch first.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            throw IDNAError.invalidCodePoint.with(message: "a Unicode label starts with the combining mark \(hex(first))")
        default: break
        }
        for scalar in scalars {
            let disallowed: Bool
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator, .paragraphSeparator:
                disallowed = true
            default:
                disallowed = scalar.properties.isNoncharacterCodePoint
            }
            if disallowed {
                throw IDNAError.invalidCodePoint.with(message: "a Unicode label contains \(hex(scalar)), which IDNA does not allow")
            }
        }
    }

    /// `U+202E`.
    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
