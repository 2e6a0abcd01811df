internal import DNSVerify

extension SPFRecord {
    /// True when `text` is an SPF version 1 record: `v=spf1` in any case, then a space or
    /// the end (RFC 7208 section 4.5). Other TXT records are none of SPF's business.
    static func isVersion1(_ text: [UInt8]) -> Bool {
        let version = Array("v=spf1".utf8)
        guard text.count >= version.count, zip(text, version).allSatisfy({ SPFCharacters.lowercased($0) == $1 }) else {
            return false
        }
        return text.count == version.count || text[version.count] == 0x20
    }

    /// Parses a whole record (RFC 7208 sections 4.6 and 5-7).
    /// - Throws: ``SPFSyntaxError`` for anything the grammar refuses: non-ASCII or control
    ///   bytes, an unknown mechanism, a bad CIDR length or address, a bad domain-spec or
    ///   macro, an invalid modifier name, `redirect` or `exp` twice or empty.
    init(parsing text: [UInt8]) throws(SPFSyntaxError) {
        guard Self.isVersion1(text) else { throw SPFSyntaxError("not an SPF version 1 record") }
        guard text.allSatisfy({ $0 < 0x80 }) else { throw SPFSyntaxError("a record with non-ASCII bytes") }
        self.init()
        for term in text.dropFirst(6).split(separator: 0x20) {
            try parseTerm(Array(term))
        }
    }

    private mutating func parseTerm(_ term: [UInt8]) throws(SPFSyntaxError) {
        if let first = term.first, let qualifier = SPFQualifier(rawValue: first) {
            mechanisms.append(SPFMechanism(qualifier: qualifier, kind: try Self.mechanism(term.dropFirst())))
            return
        }
        if let equals = term.firstIndex(of: UInt8(ascii: "=")), Self.isModifierName(term[..<equals]) {
            try parseModifier(name: term[..<equals], value: term[(equals + 1)...])
            return
        }
        mechanisms.append(SPFMechanism(qualifier: .pass, kind: try Self.mechanism(term[...])))
    }

    /// `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )`.
    private static func isModifierName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, SPFCharacters.isLetter(first) else { return false }
        return name.allSatisfy {
            SPFCharacters.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    private mutating func parseModifier(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) throws(SPFSyntaxError) {
        switch String(decoding: name.map(SPFCharacters.lowercased), as: UTF8.self) {
        case "redirect":
            guard redirect == nil else { throw SPFSyntaxError("redirect= appears twice") }
            redirect = try SPFMacroString(domainSpec: value)
        case "exp":
            guard explanation == nil else { throw SPFSyntaxError("exp= appears twice") }
            explanation = try SPFMacroString(domainSpec: value)
        default:
            // Unknown modifiers are ignored, but their value must be a macro-string.
            _ = try SPFMacroString(parsing: value, isExplanation: true)
        }
    }

    /// A mechanism without its qualifier.
    private static func mechanism(_ term: ArraySlice<UInt8>) throws(SPFSyntaxError) -> SPFMechanism.Kind {
        let nameEnd = term.firstIndex { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") } ?? term.endIndex
        let name = String(decoding: term[..<nameEnd].map(SPFCharacters.lowercased), as: UTF8.self)
        let rest = term[nameEnd...]
        switch name {
        case "all":
            guard rest.isEmpty else { throw SPFSyntaxError("all takes no argument") }
            return .all
        case "include":
            return .include(try requiredDomainSpec(rest))
        case "exists":
            return .exists(try requiredDomainSpec(rest))
        case "ptr":
            guard !rest.isEmpty else { return .ptr(nil) }
            return .ptr(try requiredDomainSpec(rest))
        case "a", "mx":
            let (body, lengths) = try dualCIDR(rest)
            let spec: SPFMacroString? = body.isEmpty ? nil : try requiredDomainSpec(body)
            return name == "a" ? .a(spec, lengths) : .mx(spec, lengths)
        case "ip4":
            return .ip4(try network(rest, ipv6: false))
        case "ip6":
            return .ip6(try network(rest, ipv6: true))
        default:
            throw SPFSyntaxError("an unknown mechanism")
        }
    }

    /// `":" domain-spec`.
    private static func requiredDomainSpec(_ rest: ArraySlice<UInt8>) throws(SPFSyntaxError) -> SPFMacroString {
        guard rest.first == UInt8(ascii: ":") else { throw SPFSyntaxError("a mechanism without its ':' argument") }
        return try SPFMacroString(domainSpec: rest.dropFirst())
    }

    /// Splits `[ip4-cidr-length] ["/" ip6-cidr-length]` off the end of an `a` or `mx` argument.
    private static func dualCIDR(_ rest: ArraySlice<UInt8>) throws(SPFSyntaxError) -> (ArraySlice<UInt8>, SPFCIDRLengths) {
        var body = rest
        var lengths = SPFCIDRLengths()
        if let (prefix, length) = try trailingLength(body, maximum: 128), prefix.last == UInt8(ascii: "/") {
            lengths.ipv6 = length
            body = prefix.dropLast()
            if let (prefix4, length4) = try trailingLength(body, maximum: 32) {
                lengths.ipv4 = length4
                body = prefix4
            }
        } else if let (prefix, length) = try trailingLength(body, maximum: 32) {
            lengths.ipv4 = length
            body = prefix
        }
        return (body, lengths)
    }

    /// `"/" 1*DIGIT` at the end of `text`: the text before the slash and the number.
    /// - Throws: ``SPFSyntaxError`` for a leading zero or a number over `maximum`.
    private static func trailingLength(_ text: ArraySlice<UInt8>, maximum: Int) throws(SPFSyntaxError)
        -> (ArraySlice<UInt8>, Int)?
    {
        guard let slash = text.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let digits = text[(slash + 1)...]
        guard !digits.isEmpty, digits.allSatisfy(SPFCharacters.isDigit) else { return nil }
        guard digits.count <= 3, digits.count == 1 || digits.first != UInt8(ascii: "0") else {
            throw SPFSyntaxError("an invalid CIDR length")
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard value <= maximum else { throw SPFSyntaxError("a CIDR length beyond the address size") }
        return (text[..<slash], value)
    }

    /// `":" ip4-network [ip4-cidr-length]` or `":" ip6-network [ip6-cidr-length]`.
    private static func network(_ rest: ArraySlice<UInt8>, ipv6: Bool) throws(SPFSyntaxError) -> SPFNetwork {
        guard rest.first == UInt8(ascii: ":") else { throw SPFSyntaxError("an ip4 or ip6 mechanism without an address") }
        var address = rest.dropFirst()
        var length = ipv6 ? 128 : 32
        if let (prefix, value) = try trailingLength(address, maximum: length) {
            address = prefix
            length = value
        }
        guard let bytes = ipv6 ? ipv6Address(address) : ipv4Address(address) else {
            throw SPFSyntaxError(ipv6 ? "an invalid IPv6 network" : "an invalid IPv4 network")
        }
        return SPFNetwork(bytes: bytes, prefixLength: length)
    }

    /// `qnum "." qnum "." qnum "." qnum`, no leading zeros.
    static func ipv4Address(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(SPFCharacters.isDigit),
                part.count == 1 || part.first != UInt8(ascii: "0")
            else { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 255 else { return nil }
            bytes.append(UInt8(value))
        }
        return bytes
    }

    /// An IPv6 address in RFC 4291 text form (an embedded IPv4 tail allowed).
    static func ipv6Address(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.contains(UInt8(ascii: ":")), text.count <= 45,
            let address = try? DNSAddress(String(decoding: text, as: UTF8.self)), address.isIPv6
        else { return nil }
        return address.bytes
    }
}
