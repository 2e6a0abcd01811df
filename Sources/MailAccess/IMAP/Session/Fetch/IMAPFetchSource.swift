import CommunityMailMessage
import EncryptedMailbox

/// The content of one message as the mailbox returned it (the header, the body, or both),
/// parsed at most once however many items read it. Lives for one ``IMAPFetchResponder/items(for:)``.
final class IMAPFetchSource {
    private let content: [UInt8]
    private let kind: FetchContent
    private var parsedEntity: IMAPMessageEntity?
    private var parsedStructure: IMAPBodyStructure?

    init(content: [UInt8], kind: FetchContent) {
        self.content = content
        self.kind = kind
    }

    /// The message as a MIME entity: all of it for `.whole`, its header alone for
    /// `.header`; nil for `.text`, where the header is missing.
    private func message() -> IMAPMessageEntity? {
        if let parsedEntity { return parsedEntity }
        guard kind == .whole || kind == .header else { return nil }
        let entity = IMAPMessageEntity(content[...], inDigest: false, depth: 0)
        parsedEntity = entity
        return entity
    }

    /// The message's header block.
    func messageHeader() throws(IMAPFetchFailure) -> HeaderBlock {
        guard let message = message() else { throw .missingContent }
        return message.header
    }

    /// BODY / BODYSTRUCTURE of the whole message.
    func structure() throws(IMAPFetchFailure) -> IMAPBodyStructure {
        if let parsedStructure { return parsedStructure }
        guard kind == .whole else { throw .missingContent }
        let structure = IMAPBodyStructure(message: MailMessage(content))
        parsedStructure = structure
        return structure
    }

    /// The octets of BODY[section]<partial> in CRLF form; nil (NIL) when the message has
    /// no such part.
    func section(_ section: IMAPSection, partial: IMAPPartial?) throws(IMAPFetchFailure) -> [UInt8]? {
        if section.part.isEmpty {
            switch section.text {
            case nil:
                guard kind == .whole else { throw .missingContent }
                return IMAPSectionWriter.wire(content[...], partial: partial)
            case .text:
                if kind == .text { return IMAPSectionWriter.wire(content[...], partial: partial) }
                guard kind == .whole, let message = message() else { throw .missingContent }
                return IMAPSectionWriter.wire(message.body, partial: partial)
            case .header, .mime, .headerFields, .headerFieldsNot:
                guard let message = message() else { throw .missingContent }
                return Self.header(of: message, section.text, partial: partial)
            }
        }
        guard kind == .whole, let message = message() else { throw .missingContent }
        guard let entity = message.locate(section.part) else { return nil }
        switch section.text {
        case nil:
            return IMAPSectionWriter.wire(entity.body, partial: partial)
        case .mime:
            return IMAPSectionWriter.wire(entity.header.rawBytes, partial: partial)
        case .text:
            guard entity.isEmbeddedMessage else { return nil }
            return IMAPSectionWriter.wire(entity.embeddedMessage.body, partial: partial)
        case .header, .headerFields, .headerFieldsNot:
            guard entity.isEmbeddedMessage else { return nil }
            return Self.header(of: entity.embeddedMessage, section.text, partial: partial)
        }
    }

    /// HEADER, HEADER.FIELDS or HEADER.FIELDS.NOT of a message entity.
    private static func header(of message: IMAPMessageEntity, _ text: IMAPSection.Text?, partial: IMAPPartial?) -> [UInt8] {
        let names: Set<String>
        let keep: Bool
        switch text {
        case .headerFields(let list):
            names = Set(list.map { $0.lowercased() })
            keep = true
        case .headerFieldsNot(let list):
            names = Set(list.map { $0.lowercased() })
            keep = false
        default:
            return IMAPSectionWriter.wire(message.header.rawBytes, partial: partial)
        }
        // RFC 9051 section 6.4.5: the fields whose names match (case-insensitively), as
        // stored, then the blank line that ends a header.
        var writer = IMAPSectionWriter(partial: partial)
        for field in message.header.fields where names.contains(field.lowercasedName) == keep {
            writer.append(field.rawBytes)
            if field.rawBytes.last != 0x0a { writer.appendCRLF() }
            if writer.isFull { break }
        }
        writer.appendCRLF()
        return writer.output
    }

    /// The octets of BINARY[part]<partial>: the part's body with its
    /// Content-Transfer-Encoding undone (RFC 3516); nil (NIL) when there is no such part.
    func binary(_ part: [UInt32], partial: IMAPPartial?) throws(IMAPFetchFailure) -> [UInt8]? {
        guard kind == .whole, let message = message() else { throw .missingContent }
        if part.isEmpty { return IMAPSectionWriter.wire(content[...], partial: partial) }
        guard let entity = message.locate(part) else { return nil }
        let decoded: [UInt8]
        switch entity.transferEncoding {
        case "7bit", "8bit":
            return IMAPSectionWriter.wire(entity.body, partial: partial)
        case "binary":
            return Self.window(entity.body, partial)
        case "base64":
            decoded = TransferDecoding.base64(entity.body)
        case "quoted-printable":
            decoded = TransferDecoding.quotedPrintable(entity.body)
        default:
            throw .unknownTransferEncoding
        }
        return Self.window(decoded[...], partial)
    }

    /// The bytes within `partial`, as they are.
    private static func window(_ bytes: ArraySlice<UInt8>, _ partial: IMAPPartial?) -> [UInt8] {
        guard let partial else { return Array(bytes) }
        let count = UInt64(bytes.count)
        let start = min(partial.offset, count)
        let end = min(count, start + min(partial.length, count - start))
        return Array(bytes[(bytes.startIndex + Int(start))..<(bytes.startIndex + Int(end))])
    }
}
