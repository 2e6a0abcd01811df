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
    /// The Content-Type's charset parameter, as sent.
    let charset: String?
    /// How many multipart or message levels lie above this entity.
    let depth: Int
    /// Whether the entity is a leaf whatever its type: the message's part budget
    /// (``IMAPBodyStructure/maximumParts``) was spent before it.
    let opaque: Bool
    /// The parts of a multipart (see ``parts``), or the message of a message/rfc822 part.
    private let children: [IMAPMessageEntity]

    /// The message at the start of `bytes`, split into at most
    /// ``IMAPBodyStructure/maximumParts`` entities (the one budget BODYSTRUCTURE uses too,
    /// so part numbers agree): the message itself is the first.
    init(_ bytes: ArraySlice<UInt8>, inDigest: Bool, depth: Int) {
        var budget = IMAPBodyStructure.maximumParts - 1
        self.init(bytes, inDigest: inDigest, depth: depth, opaque: false, budget: &budget)
    }

    /// The entity at the start of `bytes`; its parts take from `budget`, which this entity
    /// has already been charged for.
    private init(_ bytes: ArraySlice<UInt8>, inDigest: Bool, depth: Int, opaque: Bool, budget: inout Int) {
        self.bytes = bytes
        let header = HeaderBlock(bytes)
        self.header = header
        self.depth = depth
        self.opaque = opaque
        let contentType = header.first("content-type").flatMap(IMAPContentType.init)
        type = contentType?.type.lowercased() ?? (inDigest ? "message" : "text")
        subtype = contentType?.subtype.lowercased() ?? (inDigest ? "rfc822" : "plain")
        let boundary = contentType?.parameters.first { $0.name.lowercased() == "boundary" }?.value
        self.boundary = (boundary?.isEmpty ?? true) ? nil : boundary
        charset = contentType?.parameters.first { $0.name.lowercased() == "charset" }?.value
        let body = bytes[header.end...]
        if opaque || depth >= IMAPBodyStructure.maximumDepth {
            children = []
        } else if type == "multipart" {
            children = Self.split(body, boundary: self.boundary, digest: subtype == "digest", depth: depth, budget: &budget)
        } else if type == "message" && (subtype == "rfc822" || subtype == "global") {
            budget -= 1
            children = [IMAPMessageEntity(body, inDigest: false, depth: depth + 1, opaque: budget < 0, budget: &budget)]
        } else {
            children = []
        }
    }

    /// The body: every byte after the header's blank line.
    var body: ArraySlice<UInt8> { bytes[header.end...] }

    /// A multipart that IMAPBodyStructure describes with parts (deeper ones are opaque leaves).
    var isMultipart: Bool { type == "multipart" && depth < IMAPBodyStructure.maximumDepth && !opaque }

    /// A message/rfc822 (or message/global) part, whose body is a message of its own.
    var isEmbeddedMessage: Bool {
        type == "message" && (subtype == "rfc822" || subtype == "global") && depth < IMAPBodyStructure.maximumDepth && !opaque
    }

    /// The Content-Transfer-Encoding, lowercased and trimmed (`7bit` when absent).
    var transferEncoding: String {
        let value = header.first("content-transfer-encoding")?.trimmingSpaces().lowercased() ?? ""
        return value.isEmpty ? "7bit" : value
    }

    /// The parts of a multipart, as IMAPBodyStructure numbers them: a multipart without a
    /// boundary or without parts has one empty part.
    var parts: [IMAPMessageEntity] { isMultipart ? children : [] }

    /// Splits a multipart's body into its parts, each charged to `budget`.
    ///
    /// The line break before a delimiter belongs to the delimiter (RFC 2046 section 5.1.1),
    /// except after a nested multipart's close delimiter (`--inner--`): that line's own end
    /// stays in the nested part, as Dovecot counts it.
    private static func split(
        _ body: ArraySlice<UInt8>, boundary: String?, digest: Bool, depth: Int, budget: inout Int
    ) -> [IMAPMessageEntity] {
        // No more parts than the budget can take are sliced (see IMAPBodyStructure).
        let (found, more) = boundary.map { MIMEWalker.parts(of: body, boundary: Array("--\($0)".utf8), limit: budget) } ?? ([], false)
        guard !found.isEmpty else {
            budget -= 1
            return [IMAPMessageEntity(body[body.endIndex...], inDigest: false, depth: depth + 1, opaque: budget < 0, budget: &budget)]
        }
        var parts: [IMAPMessageEntity] = []
        parts.reserveCapacity(found.count)
        for (position, slice) in found.enumerated() {
            budget -= 1
            if budget <= 0 && (position + 1 < found.count || more) {
                // The budget is spent: this part holds the rest of the multipart (to the end
                // of its body, as Dovecot cuts it), as one leaf.
                let rest = body[slice.startIndex...]
                parts.append(IMAPMessageEntity(rest, inDigest: digest, depth: depth + 1, opaque: true, budget: &budget))
                break
            }
            var end = slice.endIndex
            if endsWithCloseDelimiter(slice) {
                let kind = IMAPMessageEntity(slice, inDigest: digest, depth: depth + 1, opaque: true, budget: &budget)
                let embedsMessage = kind.type == "message" && (kind.subtype == "rfc822" || kind.subtype == "global")
                if kind.type == "multipart" || (embedsMessage && depth + 1 < IMAPBodyStructure.maximumDepth) {
                    if end < body.endIndex, body[end] == 0x0d { end += 1 }
                    if end < body.endIndex, body[end] == 0x0a { end += 1 }
                }
            }
            parts.append(IMAPMessageEntity(body[slice.startIndex..<end], inDigest: digest, depth: depth + 1, opaque: budget < 0, budget: &budget))
        }
        return parts
    }

    /// Whether the last line of `bytes` is a close delimiter (`--boundary--`).
    private static func endsWithCloseDelimiter(_ bytes: ArraySlice<UInt8>) -> Bool {
        let lineStart = (bytes.lastIndex(of: 0x0a).map { $0 + 1 }) ?? bytes.startIndex
        var line = bytes[lineStart...]
        while let last = line.last, last == 0x20 || last == 0x09 || last == 0x0d { line = line.dropLast() }
        return line.count >= 4 && line.starts(with: [0x2d, 0x2d]) && line.suffix(2).elementsEqual([0x2d, 0x2d])
    }

    /// The message in a message/rfc822 part's body (the body as an opaque leaf when the
    /// entity is none: callers check ``isEmbeddedMessage`` first).
    var embeddedMessage: IMAPMessageEntity {
        if isEmbeddedMessage, let message = children.first { return message }
        var none = 0
        return IMAPMessageEntity(body, inDigest: false, depth: depth + 1, opaque: true, budget: &none)
    }

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
