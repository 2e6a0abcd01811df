import CommunityMailMessage

/// One MIME entity of a message (the message itself, a body part, or a message embedded in
/// a message/rfc822 part): slices of the stored bytes, never copies. What BODY[section] and
/// BINARY[section] read (RFC 9051 section 6.4.5).
struct IMAPMessageEntity {
    /// The entity: its header block, then its body.
    let bytes: ArraySlice<UInt8>
    /// Its header block (the blank line included).
    let header: HeaderBlock
    /// Lowercased media type, with the RFC 2045/2046 defaults (`text`, or `message` inside
    /// multipart/digest).
    let type: String
    /// Lowercased subtype (`plain`, or `rfc822` inside multipart/digest).
    let subtype: String
    /// The multipart boundary, when the entity is a multipart with a usable one.
    let boundary: String?
    /// How many multipart or message levels lie above this entity.
    let depth: Int

    /// The entity at the start of `bytes`.
    init(_ bytes: ArraySlice<UInt8>, inDigest: Bool, depth: Int) {
        self.bytes = bytes
        let header = HeaderBlock(bytes)
        self.header = header
        self.depth = depth
        let contentType = header.first("content-type").flatMap(IMAPContentType.init)
        type = contentType?.type.lowercased() ?? (inDigest ? "message" : "text")
        subtype = contentType?.subtype.lowercased() ?? (inDigest ? "rfc822" : "plain")
        let boundary = contentType?.parameters.first { $0.name.lowercased() == "boundary" }?.value
        self.boundary = (boundary?.isEmpty ?? true) ? nil : boundary
    }

    /// The body: every byte after the header's blank line.
    var body: ArraySlice<UInt8> { bytes[header.end...] }

    /// A multipart that IMAPBodyStructure describes with parts (deeper ones are opaque leaves).
    var isMultipart: Bool { type == "multipart" && depth < IMAPBodyStructure.maximumDepth }

    /// A message/rfc822 (or message/global) part, whose body is a message of its own.
    var isEmbeddedMessage: Bool {
        type == "message" && (subtype == "rfc822" || subtype == "global") && depth < IMAPBodyStructure.maximumDepth
    }

    /// The Content-Transfer-Encoding, lowercased and trimmed (`7bit` when absent).
    var transferEncoding: String {
        let value = header.first("content-transfer-encoding")?.trimmingSpaces().lowercased() ?? ""
        return value.isEmpty ? "7bit" : value
    }

    /// The parts of a multipart, as IMAPBodyStructure numbers them: a multipart without a
    /// boundary or without parts has one empty part.
    var parts: [IMAPMessageEntity] {
        let digest = subtype == "digest"
        if let boundary {
            let found = MIMEWalker.parts(of: body, boundary: Array("--\(boundary)".utf8))
            if !found.isEmpty { return found.map { IMAPMessageEntity($0, inDigest: digest, depth: depth + 1) } }
        }
        return [IMAPMessageEntity(body[body.endIndex...], inDigest: false, depth: depth + 1)]
    }

    /// The message in a message/rfc822 part's body.
    var embeddedMessage: IMAPMessageEntity { IMAPMessageEntity(body, inDigest: false, depth: depth + 1) }

    /// The entity a part path names (`[2, 1]` for `2.1`), or nil when there is no such part.
    ///
    /// Part `n` of a multipart is its `n`th body part. A part that is not multipart has
    /// only part 1, itself (so `1` of a single-part message is its body, and its MIME header
    /// is the message's header); a number after it is allowed only when it is a
    /// message/rfc822 part, and then numbers the parts of the message inside. Dovecot 2.3
    /// resolves paths the same way.
    func locate(_ path: [UInt32]) -> IMAPMessageEntity? {
        var entity = self
        for (position, number) in path.enumerated() {
            let more = position + 1 < path.count
            if entity.isMultipart {
                let parts = entity.parts
                guard number >= 1, Int(number) <= parts.count else { return nil }
                entity = parts[Int(number) - 1]
            } else if number != 1 || (more && !entity.isEmbeddedMessage) {
                return nil
            }
            if more && entity.isEmbeddedMessage { entity = entity.embeddedMessage }
        }
        return entity
    }
}
