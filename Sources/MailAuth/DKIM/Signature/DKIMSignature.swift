internal import CommunityMailCrypto

/// A DKIM-Signature header field, parsed and checked (RFC 6376 §3.5, §6.1.1).
///
/// Parsing checks everything that needs no key and no clock: the required tags (`v=`,
/// `a=`, `b=`, `bh=`, `d=`, `h=`, `s=`), `v=1`, a known algorithm and canonicalization,
/// base64 `b=`/`bh=`, `h=` naming From, `i=` inside `d=`, `q=` offering `dns/txt`,
/// numeric `l=`, `t=`, `x=` with `x=` after `t=`. `z=` is read over and ignored;
/// unknown tags are ignored, as the RFC asks.
public struct DKIMSignature: Sendable, Hashable {
    /// The algorithm (`a=`).
    public let algorithm: SignatureAlgorithm
    /// The signature (`b=`), decoded.
    public let signature: [UInt8]
    /// `b=` as written, whitespace removed (its first 8 characters are `header.b` in
    /// Authentication-Results, RFC 6008).
    public let signatureText: String
    /// The body hash (`bh=`), decoded.
    public let bodyHash: [UInt8]
    /// The header canonicalization (`c=`, default simple).
    public let headerCanonicalization: Canonicalization
    /// The body canonicalization (`c=`, default simple).
    public let bodyCanonicalization: Canonicalization
    /// The signing domain (`d=`), as written.
    public let domain: String
    /// The signed header field names (`h=`), in order, as written.
    public let signedHeaders: [String]
    /// The agent or user identifier (`i=`), or `@` + ``domain`` when absent.
    public let identity: String
    /// True when `i=` was present.
    public let hasExplicitIdentity: Bool
    /// How many canonical body bytes are signed (`l=`), nil for the whole body.
    public let bodyLength: Int?
    /// The selector (`s=`).
    public let selector: String
    /// The signing time (`t=`, seconds since the Unix epoch), if given.
    public let timestamp: Int64?
    /// The expiry (`x=`, seconds since the Unix epoch), if given.
    public let expiration: Int64?

    /// The largest `l=`, `t=` or `x=` read (more digits than this are a syntax error:
    /// RFC 6376 allows up to 76, no real value needs more than 12).
    static let maximumNumberDigits = 18

    /// Parses a DKIM-Signature field's value (the bytes after the colon, folding kept).
    /// - Throws: ``MailAuthError/invalidRecord`` (with a reason that names the tag, never
    ///   its value) or ``MailAuthError/limitExceeded`` for a tag list beyond its bounds.
    public init(value: ArraySlice<UInt8>) throws(MailAuthError) {
        let tags = try TagList(parsing: value)
        func required(_ name: String) throws(MailAuthError) -> String {
            guard let value = tags[name] else { throw .invalidRecord.with(message: "the signature has no \(name)= tag") }
            return value
        }
        guard try required("v") == "1" else { throw .invalidRecord.with(message: "the signature's v= is not 1") }
        guard let algorithm = SignatureAlgorithm(tagValue: try required("a")) else {
            throw .invalidRecord.with(message: "the signature's a= names an unknown algorithm")
        }
        self.algorithm = algorithm
        let signatureValue = try required("b")
        guard let signature = TagList.base64Bytes(signatureValue), !signature.isEmpty else {
            throw .invalidRecord.with(message: "the signature's b= is not base64")
        }
        self.signature = signature
        self.signatureText = TagList.compact(signatureValue)
        guard let bodyHash = TagList.base64Bytes(try required("bh")), bodyHash.count == algorithm.hash.digestLength else {
            throw .invalidRecord.with(message: "the signature's bh= is not a base64 \(algorithm.hashTagName) hash")
        }
        self.bodyHash = bodyHash
        (headerCanonicalization, bodyCanonicalization) = try Canonicalization.pair(fromTagValue: tags["c"])

        let domain = try required("d")
        guard Self.isDomainName(domain) else { throw .invalidRecord.with(message: "the signature's d= is not a domain name") }
        self.domain = domain
        let selector = try required("s")
        guard Self.isDomainName(selector) else { throw .invalidRecord.with(message: "the signature's s= is not a selector") }
        self.selector = selector

        let names = TagList.items(try required("h"))
        guard !names.contains(where: { !Self.isFieldName($0) }) else {
            throw .invalidRecord.with(message: "the signature's h= has an empty or invalid field name")
        }
        guard names.contains(where: { $0.lowercased() == "from" }) else {
            throw .invalidRecord.with(message: "the signature's h= does not include From")
        }
        signedHeaders = names.map(String.init)

        if let identity = tags["i"] {
            guard let at = identity.lastIndex(of: "@") else { throw .invalidRecord.with(message: "the signature's i= has no '@'") }
            let identityDomain = identity[identity.index(after: at)...]
            guard Self.isSame(String(identityDomain), orSubdomainOf: domain) else {
                throw .invalidRecord.with(message: "the signature's i= domain is not d= or a subdomain of it")
            }
            self.identity = identity
            hasExplicitIdentity = true
        } else {
            identity = "@" + domain
            hasExplicitIdentity = false
        }

        if let length = tags["l"] {
            guard let parsed = Self.number(length) else { throw .invalidRecord.with(message: "the signature's l= is not a number") }
            bodyLength = Int(parsed)
        } else {
            bodyLength = nil
        }
        if let methods = tags["q"] {
            guard TagList.items(methods).contains(where: { $0.lowercased() == "dns/txt" }) else {
                throw .invalidRecord.with(message: "the signature's q= does not offer dns/txt")
            }
        }
        if let time = tags["t"] {
            guard let parsed = Self.number(time) else { throw .invalidRecord.with(message: "the signature's t= is not a number") }
            timestamp = parsed
        } else {
            timestamp = nil
        }
        if let expiry = tags["x"] {
            guard let parsed = Self.number(expiry) else { throw .invalidRecord.with(message: "the signature's x= is not a number") }
            expiration = parsed
        } else {
            expiration = nil
        }
        // RFC 6376 §3.5: x= MUST be greater than t=.
        if let timestamp, let expiration, expiration <= timestamp {
            throw .invalidRecord.with(message: "the signature's x= is not after its t=")
        }
    }

    /// `header.b`'s value for Authentication-Results (RFC 6008): the first 8 characters of `b=`.
    public var headerB: String { String(signatureText.prefix(8)) }

    /// The domain of ``identity`` (after its last `@`).
    public var identityDomain: String {
        guard let at = identity.lastIndex(of: "@") else { return domain }
        return String(identity[identity.index(after: at)...])
    }

    /// A decimal number of at most ``maximumNumberDigits`` digits.
    private static func number(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= maximumNumberDigits, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    /// Dot-separated labels of letters, digits, `-` and `_` (selectors may have `_`), each
    /// 1 to 63 bytes, 253 bytes in all; a trailing dot is not allowed.
    static func isDomainName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.allSatisfy { byte in
                    (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: "_") || byte >= 0x80
                }
        }
    }

    /// A header field name (RFC 5322 ftext: printable ASCII but the colon).
    private static func isFieldName(_ name: Substring) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ":") }
    }

    /// True when `child` is `parent` or a subdomain of it (case-insensitive).
    static func isSame(_ child: String, orSubdomainOf parent: String) -> Bool {
        let child = child.lowercased()
        let parent = parent.lowercased()
        return child == parent || child.hasSuffix("." + parent)
    }
}
