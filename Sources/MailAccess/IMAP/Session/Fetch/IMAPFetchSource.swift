import CommunityMailMessage
import EncryptedMailbox

/// The content of one message as the mailbox returned it (the header, the body, or both),
/// parsed at most once however many items read it. Lives for one ``IMAPFetchResponder/items(for:)``.
///
/// What each section holds follows RFC 9051 section 6.4.5 and, where the RFC leaves it
/// open, Dovecot 2.3 (checked side by side): a part that does not exist is the empty
/// string, HEADER and TEXT of a part that is not message/rfc822 are empty, HEADER.FIELDS
/// always ends with a blank line while HEADER.FIELDS.NOT keeps the header's own end.
///
/// Sections are built once per message however often the items name them (the items share
/// one array), and the bytes built stay within a budget.
final class IMAPFetchSource {
    private let content: [UInt8]
    private let kind: FetchContent
    private var parsedEntity: IMAPMessageEntity?
    private var parsedStructure: IMAPBodyStructure?
    /// The section bytes this message may still build.
    private var byteBudget: Int
    /// The sections built so far, by what names them.
    private var built: [SectionKey: [UInt8]] = [:]

    /// What names a section's octets: BODY or BINARY, the section, the window.
    private enum SectionKey: Hashable {
        case body(IMAPSection, IMAPPartial?)
        case binary([UInt32], IMAPPartial?)
    }

    init(content: [UInt8], kind: FetchContent, byteBudget: Int = .max) {
        self.content = content
        self.kind = kind
        self.byteBudget = byteBudget
    }

    /// The octets `key` names: built by `build` the first time, charged to the budget.
    private func shared(_ key: SectionKey, _ build: () throws(IMAPFetchFailure) -> [UInt8]) throws(IMAPFetchFailure) -> [UInt8] {
        if let octets = built[key] { return octets }
        let octets = try build()
        guard octets.count <= byteBudget else { throw .sectionLimit }
        byteBudget -= octets.count
        built[key] = octets
        return octets
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

    /// The octets of BODY[section]<partial> in CRLF form, built once per message.
    /// - Throws: ``IMAPFetchFailure/sectionLimit`` beyond the byte budget.
    func section(_ section: IMAPSection, partial: IMAPPartial?) throws(IMAPFetchFailure) -> [UInt8] {
        try shared(.body(section, partial)) { () throws(IMAPFetchFailure) in try build(section, partial: partial) }
    }

    private func build(_ section: IMAPSection, partial: IMAPPartial?) throws(IMAPFetchFailure) -> [UInt8] {
        if section.part.isEmpty {
            switch section.text {
            case nil:
                guard kind == .whole else { throw .missingContent }
                return IMAPSectionWriter.wire(content, partial: partial)
            case .text:
                if kind == .text { return IMAPSectionWriter.wire(content, partial: partial) }
                guard kind == .whole, let message = message() else { throw .missingContent }
                return IMAPSectionWriter.wire(message.body, partial: partial)
            case .header, .mime, .headerFields, .headerFieldsNot:
                guard let message = message() else { throw .missingContent }
                return Self.header(of: message, section.text, partial: partial)
            }
        }
        guard kind == .whole, let message = message() else { throw .missingContent }
        guard let entity = message.locate(section.part) else { return [] }
        switch section.text {
        case nil:
            return IMAPSectionWriter.wire(entity.body, partial: partial)
        case .mime:
            return IMAPSectionWriter.wire(entity.header.rawBytes, partial: partial)
        case .text:
            guard entity.isEmbeddedMessage else { return [] }
            return IMAPSectionWriter.wire(entity.embeddedMessage.body, partial: partial)
        case .header, .headerFields, .headerFieldsNot:
            guard entity.isEmbeddedMessage else { return [] }
            return Self.header(of: entity.embeddedMessage, section.text, partial: partial)
        }
    }

    /// HEADER, HEADER.FIELDS or HEADER.FIELDS.NOT of a message entity.
    private static func header(of message: IMAPMessageEntity, _ text: IMAPSection.Text?, partial: IMAPPartial?) -> [UInt8] {
        let header = message.header
        var writer = IMAPSectionWriter(partial: partial)
        switch text {
        case .headerFields(let list):
            // The fields whose names match (case-insensitively), as stored, then a blank line.
            let names = Set(list.map { $0.lowercased() })
            for field in header.fields where names.contains(field.lowercasedName) {
                writer.append(field.rawBytes)
                if field.rawBytes.last != 0x0a { writer.appendCRLF() }
                if writer.isFull { break }
            }
            writer.appendCRLF()
        case .headerFieldsNot(let list):
            // Everything but the matching fields: lines that are no field and the header's
            // end (its blank line, when it has one) stay.
            let names = Set(list.map { $0.lowercased() })
            var cursor = header.rawBytes.startIndex
            for field in header.fields where names.contains(field.lowercasedName) {
                writer.append(header.rawBytes[cursor..<field.rawBytes.startIndex])
                cursor = field.rawBytes.endIndex
            }
            writer.append(header.rawBytes[cursor...])
        default:
            writer.append(header.rawBytes)
        }
        return writer.output
    }

    /// The octets of BINARY[part]<partial> (RFC 3516): a leaf part's body with its
    /// Content-Transfer-Encoding undone; for the whole message, a multipart or a
    /// message/rfc822 part, the entity with every leaf below decoded and its
    /// Content-Transfer-Encoding field saying `binary` (as Dovecot sends it).
    /// Built once per message.
    /// - Throws: ``IMAPFetchFailure/sectionLimit`` beyond the byte budget.
    func binary(_ part: [UInt32], partial: IMAPPartial?) throws(IMAPFetchFailure) -> [UInt8] {
        try shared(.binary(part, partial)) { () throws(IMAPFetchFailure) in try buildBinary(part, partial: partial) }
    }

    private func buildBinary(_ part: [UInt32], partial: IMAPPartial?) throws(IMAPFetchFailure) -> [UInt8] {
        guard kind == .whole, let message = message() else { throw .missingContent }
        var writer = IMAPSectionWriter(partial: partial)
        if part.isEmpty {
            try Self.writeBinary(message, header: true, into: &writer)
            return writer.output
        }
        guard let entity = message.locate(part) else { return [] }
        if !entity.isMultipart && !entity.isEmbeddedMessage, let decoded = try Self.decodedLeaf(entity) {
            // A decoded leaf goes out as decoded: copied again only for a partial window.
            guard partial != nil else { return decoded }
            writer.appendVerbatimBytes(decoded[...])
            return writer.output
        }
        try Self.writeBinary(entity, header: false, into: &writer)
        return writer.output
    }

    /// The body of a base64 or quoted-printable leaf, decoded; nil for 7bit, 8bit and binary.
    /// - Throws: ``IMAPFetchFailure/unknownTransferEncoding`` for any other encoding.
    private static func decodedLeaf(_ entity: IMAPMessageEntity) throws(IMAPFetchFailure) -> [UInt8]? {
        switch entity.transferEncoding {
        case "7bit", "8bit", "binary": return nil
        case "base64": return TransferDecoding.base64(entity.body)
        case "quoted-printable": return TransferDecoding.quotedPrintable(entity.body)
        default: throw .unknownTransferEncoding
        }
    }

    /// Writes `entity` (its header too when `header`) with its leaves decoded. Recursion is
    /// bounded by the structure's maximum depth (deeper entities are leaves).
    private static func writeBinary(_ entity: IMAPMessageEntity, header: Bool, into writer: inout IMAPSectionWriter) throws(IMAPFetchFailure) {
        if entity.isMultipart {
            if header { writer.append(entity.header.rawBytes) }
            let body = entity.body
            var cursor = body.startIndex
            for part in entity.parts where part.bytes.startIndex >= cursor && part.bytes.endIndex <= body.endIndex {
                writer.append(body[cursor..<part.bytes.startIndex])
                try writeBinary(part, header: true, into: &writer)
                cursor = part.bytes.endIndex
                if writer.isFull { return }
            }
            writer.append(body[cursor...])
            return
        }
        if entity.isEmbeddedMessage {
            if header { writer.append(entity.header.rawBytes) }
            try writeBinary(entity.embeddedMessage, header: true, into: &writer)
            return
        }
        guard let decoded = try decodedLeaf(entity) else {
            if header { writer.append(entity.header.rawBytes) }
            if entity.transferEncoding == "binary" { writer.appendVerbatimBytes(entity.body) } else { writer.append(entity.body) }
            return
        }
        if header { writeHeaderSayingBinary(entity.header, into: &writer) }
        writer.appendVerbatimBytes(decoded[...])
    }

    /// The header without its Content-Transfer-Encoding field and with
    /// `Content-Transfer-Encoding: binary` last, before the blank line (Dovecot's form).
    private static func writeHeaderSayingBinary(_ header: HeaderBlock, into writer: inout IMAPSectionWriter) {
        var cursor = header.rawBytes.startIndex
        for field in header.fields where field.lowercasedName == "content-transfer-encoding" {
            writer.append(header.rawBytes[cursor..<field.rawBytes.startIndex])
            cursor = field.rawBytes.endIndex
        }
        // The end of the header: its blank line (CRLF or LF), when it has one.
        var end = header.rawBytes.endIndex
        if end > cursor, header.rawBytes[end - 1] == 0x0a {
            end -= 1
            if end > cursor, header.rawBytes[end - 1] == 0x0d { end -= 1 }
            if end > cursor, header.rawBytes[end - 1] != 0x0a { end = header.rawBytes.endIndex }
        }
        writer.append(header.rawBytes[cursor..<end])
        writer.append(Array("Content-Transfer-Encoding: binary\r\n".utf8)[...])
        writer.append(header.rawBytes[end...])
    }
}
