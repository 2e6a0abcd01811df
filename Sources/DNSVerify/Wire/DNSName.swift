import CommunityMailIDNA

/// A domain name as DNS carries it: a sequence of labels of raw bytes.
///
/// Comparison and hashing ignore ASCII case (RFC 4343); the labels keep the case they
/// were given. Text is turned into a name with IDNA (`bücher.example` becomes
/// `xn--bcher-kva.example`), and service labels such as `_dmarc` are allowed.
public struct DNSName: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The labels, most specific first, without the empty root label.
    public let labels: [[UInt8]]

    /// The most bytes a name takes in wire form (RFC 1035 section 2.3.4).
    public static let maximumWireLength = 255
    /// The most bytes in one label.
    public static let maximumLabelLength = 63

    /// The root name `.`.
    public static let root = DNSName(validatedLabels: [])

    /// A name from raw labels.
    /// - Throws: ``DNSError/labelTooLong``, ``DNSError/nameTooLong`` or ``DNSError/invalidName``
    ///   for an empty label.
    public init(labels: [[UInt8]]) throws(DNSError) {
        var length = 1
        for label in labels {
            guard !label.isEmpty else { throw DNSError.invalidName.with(message: "a name has an empty label") }
            guard label.count <= Self.maximumLabelLength else { throw DNSError.labelTooLong }
            length += label.count + 1
        }
        guard length <= Self.maximumWireLength else { throw DNSError.nameTooLong }
        self.labels = labels
    }

    /// A name from text: Unicode labels become IDNA A-labels, a trailing dot is allowed,
    /// `.` alone is the root.
    /// - Throws: ``DNSError/invalidName`` explaining what IDNA refused.
    public init(_ text: String) throws(DNSError) {
        if text == "." {
            self = .root
            return
        }
        var rules = DomainName.Rules()
        rules.allowUnderscore = true
        let ascii: String
        do {
            ascii = try DomainName.toASCII(text, rules: rules)
        } catch {
            throw DNSError.invalidName.with(message: "\(text.debugDescription) is not a valid domain name: \(error.message)")
        }
        try self.init(labels: ascii.split(separator: ".").map { Array($0.utf8) })
    }

    init(validatedLabels: [[UInt8]]) { labels = validatedLabels }

    /// The bytes the name takes in uncompressed wire form.
    public var wireLength: Int { labels.reduce(1) { $0 + $1.count + 1 } }

    /// True for the root name.
    public var isRoot: Bool { labels.isEmpty }

    /// The name with `label` in front (`_dmarc` + `example.org`).
    /// - Throws: ``DNSError`` when the label or the result is too long or not valid.
    public func prepending(_ label: String) throws(DNSError) -> DNSName {
        let prefix = try DNSName(label)
        return try DNSName(labels: prefix.labels + labels)
    }

    /// True when `self` equals `other` or lies below it.
    public func isSubdomain(of other: DNSName) -> Bool {
        guard labels.count >= other.labels.count else { return false }
        return DNSName(validatedLabels: Array(labels.suffix(other.labels.count))) == other
    }

    /// The name in presentation form, with a trailing dot; bytes other than letters,
    /// digits, `-` and `_` are escaped as `\DDD`, and `.` or `\` inside a label as `\.`, `\\`.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"), UInt8(ascii: "("),
                    UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    text += "\\" + String(UnicodeScalar(byte))
                case 0x21...0x7E: text += String(UnicodeScalar(byte))
                default: text += "\\" + String(format3: byte)
                }
            }
            text += "."
        }
        return text
    }

    /// The name without a trailing dot, in lowercase: how checks and messages show it.
    public var text: String {
        guard !labels.isEmpty else { return "." }
        return String(description.dropLast()).lowercased()
    }

    /// The name for people: A-labels shown in Unicode.
    public var unicodeText: String { DomainName.toUnicode(text) }

    /// Labels in lowercase ASCII: the key for comparison.
    var canonicalLabels: [[UInt8]] { labels.map { $0.map(Self.lowercase) } }

    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Case-insensitive equality (RFC 4343).
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.labels.count == rhs.labels.count else { return false }
        for (left, right) in zip(lhs.labels, rhs.labels) {
            guard left.count == right.count else { return false }
            for (a, b) in zip(left, right) where lowercase(a) != lowercase(b) { return false }
        }
        return true
    }

    /// Hashes the lowercased labels.
    public func hash(into hasher: inout Hasher) {
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lowercase(byte)) }
        }
    }

    /// Canonical DNS order (RFC 4034 section 6.1): by labels from the root, bytes compared
    /// in lowercase.
    public static func < (lhs: DNSName, rhs: DNSName) -> Bool {
        let left = lhs.canonicalLabels.reversed().map { $0 }, right = rhs.canonicalLabels.reversed().map { $0 }
        for (a, b) in zip(left, right) where a != b { return a.lexicographicallyPrecedes(b) }
        return left.count < right.count
    }
}

extension String {
    /// A byte as three decimal digits, for `\DDD` escapes.
    init(format3 byte: UInt8) {
        let digits = String(byte)
        self = String(repeating: "0", count: 3 - digits.count) + digits
    }
}
