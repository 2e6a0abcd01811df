/// An RFC 6376 §3.2 tag=value list: what DKIM-Signature, ARC-Seal, ARC-Message-Signature
/// fields and DKIM key records are made of.
///
/// Parsed from bytes so that each value's position is known (the signature field is hashed
/// with the `b=` value removed, byte-exact). Whitespace and folding (FWS) around names and
/// values is dropped; whitespace inside a value is kept (callers that want base64 remove it).
/// Duplicate tags, empty tag specifications other than a trailing `;`, names that are not
/// `ALPHA *(ALPHA / DIGIT / "_")` and control characters in values are errors; the list is
/// bounded in tags and bytes.
struct TagList: Sendable {
    /// One `name=value` pair.
    struct Tag: Sendable, Hashable {
        /// The tag name, as written (tag names are case-sensitive).
        let name: String
        /// The value, leading and trailing whitespace removed.
        let value: String
        /// Where the value sits in the parsed bytes (their indices): from just after the
        /// `=` to the end of the value's last non-whitespace byte. Leading whitespace is
        /// inside the range, trailing whitespace is not.
        let valueRange: Range<Int>
    }

    /// At most this many tags (a DKIM-Signature has 14 kinds; ARC and key records fewer).
    static let maximumTags = 64
    /// At most this many bytes.
    static let maximumBytes = 64 * 1024

    /// The tags in order.
    let tags: [Tag]

    /// Parses `bytes` (a field's raw value, or a TXT record's text).
    /// - Throws: ``MailAuthError/invalidRecord`` for a list that breaks the grammar,
    ///   ``MailAuthError/limitExceeded`` beyond ``maximumTags`` or ``maximumBytes``.
    init(parsing bytes: ArraySlice<UInt8>) throws(MailAuthError) {
        guard bytes.count <= Self.maximumBytes else {
            throw .limitExceeded.with(message: "a tag list is longer than \(Self.maximumBytes) bytes")
        }
        var tags: [Tag] = []
        var index = bytes.startIndex
        let end = bytes.endIndex
        func skipWhitespace() {
            while index < end, Self.isWhitespace(bytes[index]) { index += 1 }
        }
        while true {
            skipWhitespace()
            if index == end { break }
            // tag-name = ALPHA *ALNUMPUNC
            let nameStart = index
            guard Self.isAlpha(bytes[index]) else {
                throw .invalidRecord.with(message: "a tag name must start with a letter")
            }
            index += 1
            while index < end, Self.isAlpha(bytes[index]) || Self.isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "_") { index += 1 }
            let name = Self.text(bytes[nameStart..<index])
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: "=") else {
                throw .invalidRecord.with(message: "a tag has no '='")
            }
            index += 1
            let valueStart = index
            skipWhitespace()
            let firstValueByte = index
            var lastValueEnd = index
            while index < end, bytes[index] != UInt8(ascii: ";") {
                let byte = bytes[index]
                if Self.isWhitespace(byte) {
                    index += 1
                    continue
                }
                guard byte > 0x20, byte != 0x7f else {
                    throw .invalidRecord.with(message: "a tag value contains a control character")
                }
                index += 1
                lastValueEnd = index
            }
            guard tags.count < Self.maximumTags else {
                throw .limitExceeded.with(message: "a tag list has more than \(Self.maximumTags) tags")
            }
            // At most 64 tags: a linear scan beats hashing every name.
            guard !tags.contains(where: { $0.name == name }) else {
                throw .invalidRecord.with(message: "the tag '\(Self.printable(name))' appears twice")
            }
            let value = Self.text(bytes[firstValueByte..<lastValueEnd])
            tags.append(Tag(name: name, value: value, valueRange: valueStart..<lastValueEnd))
            if index == end { break }
            // At a ';': another spec follows, or only whitespace (a trailing ';' is allowed).
            index += 1
            skipWhitespace()
            if index < end, bytes[index] == UInt8(ascii: ";") {
                throw .invalidRecord.with(message: "a tag list has an empty tag specification")
            }
        }
        self.tags = tags
    }

    /// Parses text (a DNS TXT record).
    init(parsing text: String) throws(MailAuthError) {
        try self.init(parsing: Array(text.utf8)[...])
    }

    /// The value of the tag `name`, or nil when it is absent.
    subscript(name: String) -> String? { tags.first { $0.name == name }?.value }

    /// The tag `name`, or nil when it is absent.
    func tag(_ name: String) -> Tag? { tags.first { $0.name == name } }

    /// Bytes as UTF-8 text (invalid sequences repaired), through the contiguous fast path.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// SP, HTAB, CR and LF: the bytes FWS is made of.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a }

    private static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A tag name cut short for an error message (names are ASCII letters, digits and `_`).
    private static func printable(_ name: String) -> String { String(name.prefix(32)) }
}
