/// An RFC 5322 message as received: its bytes kept whole, split into the header block and
/// the body without changing a byte, so a signature over either still verifies.
///
/// Parsing never fails: a message without a blank line is all header, lines that are not
/// fields belong to no field, and 8-bit or bare-LF input is kept as it came.
///
/// ```swift
/// let message = MailMessage(bytes)
/// message.header.first("subject")           // unfolded, encoded words kept
/// message.header.fields[0].rawBytes          // byte-exact, for DKIM
/// message.envelope.subject                   // decoded
/// ```
public struct MailMessage: Sendable, Hashable {
    /// The message exactly as received.
    public let bytes: [UInt8]
    /// The header block: raw bytes and parsed fields.
    public let header: HeaderBlock

    /// Parses `bytes`; keeps them unchanged.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.header = HeaderBlock(bytes[...])
    }

    /// The header block exactly as received, the blank line that ends it included.
    public var rawHeader: ArraySlice<UInt8> { header.rawBytes }

    /// The body exactly as received: every byte after the header's blank line.
    public var body: ArraySlice<UInt8> { bytes[header.end...] }

    /// The indexed header fields, with ``MessageEnvelope/hasAttachment`` from a walk of the
    /// MIME structure.
    public var envelope: MessageEnvelope {
        MessageEnvelope(header: header, hasAttachment: textContent().hasAttachment)
    }
}
