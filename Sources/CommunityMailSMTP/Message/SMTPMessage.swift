import CommunityMailMessage

/// A message ready for one SMTP transaction: the envelope (RFC 5321 section 3.3) and the
/// message's bytes as they go after DATA, CRLF line ends, dot-stuffed, with the final `.`.
///
/// The client takes messages as bytes: how they were written (headers, MIME) is the
/// message module's business.
public struct SMTPMessage: Sendable, Hashable {
    /// The reverse-path; empty for the null sender `<>` (bounces, RFC 5321 section 4.5.5).
    public let sender: String
    /// The forward-paths, at least one.
    public let recipients: [String]
    /// The message as given, before line-end normalisation and dot-stuffing.
    public let content: [UInt8]
    /// What goes on the wire after the server's 354: `content` with every line ending in
    /// CRLF, lines that start with a dot given a second one (section 4.5.2), and the
    /// terminating `.` line.
    public let transmittedData: [UInt8]
    /// The message size as SIZE (RFC 1870 section 3) counts it: the octets with CRLF line
    /// ends, without the added dots and the final `.` line.
    public let size: Int
    /// Whether an address or the header block has non-ASCII characters, so the server must
    /// offer SMTPUTF8 (RFC 6531).
    public let needsSMTPUTF8: Bool
    /// Whether the content has octets above 127, so the server must offer 8BITMIME
    /// (RFC 6152).
    public let needs8BitMIME: Bool

    /// The longest line RFC 5321 section 4.5.3.1.6 allows in a message, CRLF not counted.
    public static let maximumLineLength = 998

    /// A message from `sender` to `recipients`.
    /// - Parameter content: the RFC 5322 message; bare LF and bare CR line ends become CRLF.
    /// - Throws: ``SMTPError/invalidAddress`` for an address that could not sit inside
    ///   `<…>` (CR, LF, angle brackets, spaces, controls, no `@`, over 254 octets) or no
    ///   recipient; ``SMTPError/invalidMessage`` for empty content or a line over 998
    ///   octets.
    public init(sender: String, recipients: [String], content: [UInt8]) throws(SMTPError) {
        guard !recipients.isEmpty else { throw SMTPError.invalidAddress.with(message: "a message needs at least one recipient") }
        guard sender.isEmpty || Self.isUsableInEnvelope(sender), recipients.allSatisfy(Self.isUsableInEnvelope) else {
            // The address itself stays out of the error: it may be personal, or hostile.
            throw SMTPError.invalidAddress.with(message: "an address cannot be used in an SMTP envelope")
        }
        guard !content.isEmpty else { throw SMTPError.invalidMessage.with(message: "the message is empty") }
        self.sender = sender
        self.recipients = recipients
        self.content = content
        let encoded = try Self.transmissionEncoded(content)
        transmittedData = encoded.bytes
        size = encoded.bytes.count - 3 - encoded.addedDots
        let headerBlock = Self.headerBlock(of: content)
        needsSMTPUTF8 = !sender.utf8.allSatisfy { $0 < 0x80 } || recipients.contains { !$0.utf8.allSatisfy { $0 < 0x80 } }
            || !headerBlock.allSatisfy { $0 < 0x80 }
        needs8BitMIME = !content.allSatisfy { $0 < 0x80 }
    }

    /// No CR, LF, angle brackets, spaces or other controls, an `@` with something on both
    /// sides, and at most 254 octets: what can sit inside `<…>` in an SMTP command
    /// (CommunityMailMessage's `OutgoingMessage.isUsableInEnvelope`, the one rule).
    public static func isUsableInEnvelope(_ address: String) -> Bool {
        OutgoingMessage.isUsableInEnvelope(address)
    }
}
