/// One header field in two views: the bytes exactly as received, for signatures (DKIM and
/// ARC hash them), and the parsed name and value, for everything else.
public struct HeaderField: Sendable, Hashable {
    /// The field exactly as received: name, colon, the value with its folding, and the line
    /// ending(s) as they were (CRLF, or bare LF), continuation lines included.
    ///
    /// A slice of the bytes the header block was parsed from, so its indices are theirs;
    /// `Array(field.rawBytes)` for a zero-based copy.
    public let rawBytes: ArraySlice<UInt8>
    /// The field name as written, case kept (`Subject`, `DKIM-Signature`).
    public let name: String
    /// The field name lowercased, for comparing (field names are case-insensitive).
    public let lowercasedName: String
    /// The value unfolded (RFC 5322 section 2.2.3: each line break before whitespace
    /// removed, the whitespace kept), leading and trailing spaces and tabs trimmed. 8-bit
    /// bytes are read as UTF-8 when valid, else ISO-8859-1; encoded words stay encoded.
    public let unfoldedValue: String

    /// A field from its parts (the parser makes these; tests and encoders may too).
    public init(rawBytes: ArraySlice<UInt8>, name: String, unfoldedValue: String) {
        self.rawBytes = rawBytes
        self.name = name
        self.lowercasedName = name.lowercased()
        self.unfoldedValue = unfoldedValue
    }

    /// The value with RFC 2047 encoded words decoded, for display and search.
    public var decodedValue: String { EncodedWordDecoder.decode(unfoldedValue) }

    /// The raw value: the bytes after the colon up to the field's final line ending,
    /// folding kept (what DKIM's "simple" and "relaxed" header canonicalizations start from).
    public var rawValue: ArraySlice<UInt8> {
        guard let colon = rawBytes.firstIndex(of: UInt8(ascii: ":")) else { return rawBytes[rawBytes.endIndex...] }
        var end = rawBytes.endIndex
        if end > colon + 1, rawBytes[end - 1] == 0x0a { end -= 1 }
        if end > colon + 1, rawBytes[end - 1] == 0x0d { end -= 1 }
        return rawBytes[(colon + 1)..<end]
    }
}
