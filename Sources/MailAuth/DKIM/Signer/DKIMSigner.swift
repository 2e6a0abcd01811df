public import CommunityMailCrypto
public import CommunityMailMessage
internal import Foundation
internal import CommunityMailSystem

/// Signs messages with DKIM (RFC 6376 §5): rsa-sha256 or ed25519-sha256 (RFC 8463), chosen
/// by the key.
///
/// The signature field is folded at 78 columns, `b=` last and wrapped; prepend it to the
/// message (``sign(_:)`` does).
public struct DKIMSigner: Sendable {
    /// The key.
    public let key: SigningKey
    /// How signatures are made.
    public let configuration: Configuration
    /// The algorithm, from the key's kind.
    public var algorithm: SignatureAlgorithm { key.kind == .rsa ? .rsaSHA256 : .ed25519SHA256 }

    /// A signer with `key`.
    /// - Throws: ``MailAuthError/invalidKey`` for an RSA key under 1024 bits (RFC 8301);
    ///   ``MailAuthError/invalidArgument`` for a domain or selector that is not a domain
    ///   name, an identity outside the domain, or a validity under a second.
    public init(key: SigningKey, configuration: Configuration) throws(MailAuthError) {
        if key.kind == .rsa, key.bits < 1024 { throw .invalidKey.with(message: "RSA keys under 1024 bits are refused (RFC 8301)") }
        guard DKIMSignature.isDomainName(configuration.domain) else {
            throw .invalidArgument.with(message: "the signing domain is not a domain name")
        }
        guard DKIMSignature.isDomainName(configuration.selector) else { throw .invalidArgument.with(message: "the selector is not valid") }
        if let identity = configuration.identity {
            guard let at = identity.lastIndex(of: "@"),
                DKIMSignature.isSame(String(identity[identity.index(after: at)...]), orSubdomainOf: configuration.domain),
                !identity.contains(where: { $0 == ";" || $0.isWhitespace })
            else { throw .invalidArgument.with(message: "the identity is not at the signing domain") }
        }
        if let validity = configuration.validity, validity < .seconds(1) {
            throw .invalidArgument.with(message: "the validity must be at least a second (x= must be after t=)")
        }
        self.key = key
        self.configuration = configuration
    }

    /// `message` with a DKIM-Signature field prepended.
    /// - Throws: see ``signatureField(for:)``.
    public func sign(_ message: MailMessage) throws(MailAuthError) -> MailMessage {
        MailMessage(try signatureField(for: message) + message.bytes)
    }

    /// The DKIM-Signature field for `message`, with its CRLF, to prepend to it.
    /// - Throws: ``MailAuthError/invalidMessage`` when the message has no From field;
    ///   ``MailAuthError/cryptoFailure`` when hashing or signing fails.
    public func signatureField(for message: MailMessage) throws(MailAuthError) -> [UInt8] {
        let fields = message.header.fields
        guard fields.contains(where: { $0.lowercasedName == "from" }) else {
            throw .invalidMessage.with(message: "the message has no From field")
        }
        let hash = algorithm.hash
        let canonicalizer = try BodyCanonicalizer(configuration.bodyCanonicalization, hash: hash)
        try canonicalizer.update(message.body)
        let bodyHash = try canonicalizer.finalize()

        let names = signedHeaderNames(for: fields)
        var tags = [
            "v=1", "a=\(algorithm.rawValue)",
            "c=\(configuration.headerCanonicalization.rawValue)/\(configuration.bodyCanonicalization.rawValue)",
            "d=\(configuration.domain)", "s=\(configuration.selector)",
        ]
        if let identity = configuration.identity { tags.append("i=\(identity)") }
        if configuration.includesTimestamp || configuration.validity != nil {
            let now = Int64(configuration.clock.now().timeIntervalSince1970.rounded(.down))
            if configuration.includesTimestamp { tags.append("t=\(now)") }
            if let validity = configuration.validity { tags.append("x=\(now + Int64(validity.timeInterval.rounded(.up)))") }
        }
        var field = SignatureFieldFolding.fold(prefix: "DKIM-Signature:", tags: tags, headerNames: names)
        field += ";\r\n bh=\(Data(bodyHash).base64EncodedString());\r\n b="

        // The header hash covers the field with b= empty, exactly as it will be written.
        let unsigned = Array((field + "\r\n").utf8)
        let selected = SignedHeaders.select(names, from: fields)
        let input = try SignedHeaders.hashInput(
            selected: selected, signatureField: unsigned[...], canonicalization: configuration.headerCanonicalization)
        let signature: [UInt8]
        do {
            signature = try key.signature(forDigest: try hash.hash(input), hash: hash)
        } catch {
            throw .cryptoFailure.with(message: "signing failed", cause: error)
        }
        return Array((field + SignatureFieldFolding.wrap(Data(signature).base64EncodedString(), firstLineUsed: 3) + "\r\n").utf8)
    }

    /// The `h=` names for `fields` under this configuration (From always included).
    func signedHeaderNames(for fields: [HeaderField]) -> [String] {
        SignedHeaders.namesToSign(configuration.signedHeaders, overSigning: configuration.overSignedHeaders, in: fields)
    }
}
