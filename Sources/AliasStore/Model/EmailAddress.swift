internal import CommunityMailIDNA

/// A mailbox address as SMTP carries it: a dot-atom local part and a domain stored as a
/// lowercase IDNA A-label.
///
/// The local part follows RFC 5321/5322 `dot-atom`: 1...64 bytes of letters, digits and
/// ``EmailAddress/localPartSymbols``, with dots only between atoms. Quoted local parts and
/// UTF-8 local parts (SMTPUTF8) are refused, and so are address literals (`[192.0.2.1]`):
/// forwarding rules do not need them and they are a common source of confusion. The domain
/// must have at least two labels; the whole address is at most 254 bytes (RFC 5321's
/// 256-byte path less its angle brackets).
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The characters besides letters and digits that RFC 5322 `atext` allows.
    public static let localPartSymbols = "!#$%&'*+-/=?^_`{|}~"
    /// Longest local part, in bytes (RFC 5321 section 4.5.3.1.1).
    public static let maxLocalPartLength = 64
    /// Longest domain, in bytes (RFC 5321 section 4.5.3.1.2).
    public static let maxDomainLength = 255
    /// Longest address, in bytes.
    public static let maxAddressLength = 254

    /// The local part as written.
    public let localPart: String
    /// The domain as a lowercase A-label.
    public let domain: String

    /// Parses `address`.
    /// - Throws: ``AliasStoreError/invalidAddress``, ``AliasStoreError/invalidLocalPart`` or
    ///   ``AliasStoreError/invalidDomain``.
    public init(_ address: String) throws(AliasStoreError) {
        // Byte-wise (the mail path parses every recipient), and sliced byte-wise too: a
        // combining mark after the "@" makes one Character of both, which a Character
        // index would step over, dropping the mark from the domain.
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else {
            throw AliasStoreError.invalidAddress.with(message: "the address has no @")
        }
        let (local, domain) = Self.split(address, at: at)
        try Self.validateLocalPart(local)
        let ascii = try Self.normalizeDomain(domain)
        guard local.utf8.count + 1 + ascii.utf8.count <= Self.maxAddressLength else {
            throw AliasStoreError.invalidAddress.with(message: "the address is longer than \(Self.maxAddressLength) bytes")
        }
        self.localPart = local
        self.domain = ascii
    }

    /// The text before and after the byte at `at` (an ASCII "@"), cut through the UTF-8
    /// view so that no scalar next to it is lost.
    static func split(_ address: String, at: String.Index) -> (local: String, domain: String) {
        let bytes = address.utf8
        return (String(Substring(bytes[..<at])), String(Substring(bytes[bytes.index(after: at)...])))
    }

    /// `local@domain`.
    public var description: String { "\(localPart)@\(domain)" }

    /// The address with its local part lowercased, the form aliases are looked up by.
    public var lookupKey: String { "\(localPart.lowercased())@\(domain)" }

    /// Checks a dot-atom local part.
    /// - Throws: ``AliasStoreError/invalidLocalPart`` naming the problem.
    public static func validateLocalPart(_ local: String) throws(AliasStoreError) {
        let bytes = local.utf8
        guard !bytes.isEmpty else { throw AliasStoreError.invalidLocalPart.with(message: "the local part is empty") }
        guard bytes.count <= maxLocalPartLength else {
            throw AliasStoreError.invalidLocalPart.with(
                message: "the local part is \(bytes.count) bytes long; at most \(maxLocalPartLength) are allowed")
        }
        guard bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else {
            throw AliasStoreError.invalidLocalPart.with(message: "the local part starts or ends with a dot")
        }
        var previousWasDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !previousWasDot else {
                    throw AliasStoreError.invalidLocalPart.with(message: "the local part has two dots in a row")
                }
                previousWasDot = true
                continue
            }
            previousWasDot = false
            guard isAtext(byte) else {
                let shown = byte >= 0x21 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : hexByte(byte)
                throw AliasStoreError.invalidLocalPart.with(
                    message: "the local part contains \(shown), which is not allowed (quoted and non-ASCII local parts are not supported)")
            }
        }
    }

    /// The lowercase A-label form of `domain` (Unicode names are converted with IDNA).
    /// - Throws: ``AliasStoreError/invalidDomain`` naming the problem.
    public static func normalizeDomain(_ domain: String) throws(AliasStoreError) -> String {
        guard domain.utf8.first != UInt8(ascii: "[") else {
            throw AliasStoreError.invalidDomain.with(message: "address literals such as [192.0.2.1] are not supported")
        }
        let ascii: String
        if let fast = plainASCIIDomain(domain) {
            ascii = fast
        } else {
            do {
                ascii = try DomainName.toASCII(domain)
            } catch {
                throw AliasStoreError.invalidDomain.with(message: "\(domain.debugDescription) is not a valid domain name: \(error.message)")
            }
        }
        guard ascii.utf8.count <= maxDomainLength else {
            throw AliasStoreError.invalidDomain.with(message: "the domain is longer than \(maxDomainLength) bytes")
        }
        guard ascii.utf8.contains(UInt8(ascii: ".")) else {
            throw AliasStoreError.invalidDomain.with(message: "\(domain.debugDescription) has a single label; a full domain name is needed")
        }
        if endsInNumericLabel(ascii) {
            throw AliasStoreError.invalidDomain.with(message: "\(domain.debugDescription) ends in an all-numeric label")
        }
        return ascii
    }

    /// The lowercase form of a plain letters-digits-hyphens name that passes every
    /// host-name rule, or nil when the name needs the full IDNA mapping (non-ASCII, `xn--`
    /// labels) or breaks a rule (the full mapping then names the problem). The mail path
    /// resolves ASCII names almost always, and this avoids Unicode normalisation for them.
    static func plainASCIIDomain(_ domain: String) -> String? {
        // Checked byte by byte without copying: on the mail path the domain is almost always
        // already in this form, and then it is returned as it is.
        var utf8 = domain.utf8[...]
        if utf8.last == UInt8(ascii: "."), utf8.count > 1 { utf8 = utf8.dropLast() }
        guard !utf8.isEmpty, utf8.count <= 253 else { return nil }
        var hasUppercase = false
        var labelLength = 0
        var labelFirst: UInt8 = 0
        var labelThird: UInt8 = 0
        var labelFourth: UInt8 = 0
        var previous: UInt8 = 0
        func labelIsValid() -> Bool {
            guard labelLength > 0, labelLength <= 63, labelFirst != UInt8(ascii: "-"), previous != UInt8(ascii: "-") else { return false }
            // "xn--" and other reserved "??--" labels go through IDNA.
            return !(labelLength >= 4 && labelThird == UInt8(ascii: "-") && labelFourth == UInt8(ascii: "-"))
        }
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard labelIsValid() else { return nil }
                labelLength = 0
                previous = byte
                continue
            }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                hasUppercase = true
            } else if !isAlphanumeric(byte) && byte != UInt8(ascii: "-") {
                return nil
            }
            labelLength += 1
            switch labelLength {
            case 1: labelFirst = byte
            case 3: labelThird = byte
            case 4: labelFourth = byte
            default: break
            }
            previous = byte
        }
        guard labelIsValid() else { return nil }
        guard hasUppercase || utf8.count != domain.utf8.count else { return domain }
        return String(decoding: utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Whether the last non-empty label of `ascii` is all digits (a name that would read as
    /// an address, which RFC 3696 section 2 rules out).
    static func endsInNumericLabel(_ ascii: String) -> Bool {
        var sawDigit = false
        for byte in ascii.utf8.reversed() {
            if byte == UInt8(ascii: ".") {
                if sawDigit { return true }
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            sawDigit = true
        }
        return sawDigit
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return symbolBytes.contains(byte)
        }
    }

    private static let symbolBytes = Set(localPartSymbols.utf8)

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "byte 0x" + String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}
