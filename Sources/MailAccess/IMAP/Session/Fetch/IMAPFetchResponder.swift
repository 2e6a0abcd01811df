public import EncryptedMailbox

/// Builds the items of FETCH responses (RFC 9051 section 6.4.5 and 7.5.2, RFC 3501's
/// RFC822 items, RFC 3516 BINARY, RFC 7162 MODSEQ) from messages the mailbox returned:
/// pure, no I/O. The session asks the mailbox for ``contentNeeded`` and hands each message
/// to ``items(for:)``.
///
/// Section bytes go out in CRLF form (a bare LF in the store becomes CRLF, as Dovecot sends
/// them) and each item copies the stored bytes at most once.
public struct IMAPFetchResponder: Sendable {
    /// What one FETCH may make the server build: every body-section item is a copy of
    /// (part of) the message, held until the message's response is written, so a command
    /// line full of sections on a large message would otherwise hold many times its size.
    public struct Configuration: Sendable, Hashable {
        /// The body-section items (BODY[...], BINARY[...], BINARY.SIZE[...], RFC822,
        /// RFC822.HEADER, RFC822.TEXT) one FETCH may ask for; more is `NO [LIMIT]`.
        /// Default 64 (a client asks for a handful).
        public var maximumSectionItems: Int = 64
        /// The section bytes one message's FETCH response may build, an identical section
        /// (same item, part and partial) counted and built once; beyond it `NO [LIMIT]`.
        /// Default 256 MiB: about five times a 50 MB message.
        public var maximumSectionBytesPerMessage: Int = 256 << 20
        /// Defaults.
        public init() {}
    }

    /// The attributes, in the order asked.
    public let attributes: [IMAPFetchAttribute]
    /// The limits on what the items may build.
    public var configuration: Configuration

    /// A responder for one FETCH command's attributes (macros already expanded by the
    /// parser). MODSEQ goes out only when asked for as an attribute: adding it to every
    /// FETCH with FLAGS under CONDSTORE (RFC 7162 section 3.1.4.1) is the session's business.
    public init(attributes: [IMAPFetchAttribute]) {
        self.init(attributes: attributes, configuration: Configuration())
    }

    /// A responder for one FETCH command's attributes with the given limits.
    public init(attributes: [IMAPFetchAttribute], configuration: Configuration) {
        self.attributes = attributes
        self.configuration = configuration
    }

    /// How many of the attributes build a body section.
    public var sectionItemCount: Int {
        attributes.reduce(0) { count, attribute in
            switch attribute {
            case .bodySection, .binary, .binarySize, .rfc822, .rfc822Header, .rfc822Text: count + 1
            default: count
            }
        }
    }

    /// The refusal the attributes alone earn, known before the mailbox is asked anything:
    /// more body-section items than ``Configuration/maximumSectionItems``
    /// (``IMAPFetchFailure/sectionLimit``). Nil when the FETCH may go on.
    public var refusalBeforeFetch: IMAPFetchFailure? {
        sectionItemCount > configuration.maximumSectionItems ? .sectionLimit : nil
    }

    /// What the session must ask the mailbox for: the least content from which every
    /// attribute can be answered.
    public var contentNeeded: FetchContent {
        var header = false
        var text = false
        for attribute in attributes {
            switch attribute {
            case .flags, .uid, .internalDate, .rfc822Size, .modSeq: break
            case .envelope, .rfc822Header: header = true
            case .rfc822Text: text = true
            case .body, .bodyStructure, .rfc822, .binary, .binarySize: return .whole
            case .bodySection(let section, _, _):
                guard section.part.isEmpty, let what = section.text else { return .whole }
                switch what {
                case .header, .headerFields, .headerFieldsNot, .mime: header = true
                case .text: text = true
                }
            }
        }
        switch (header, text) {
        case (true, true): return .whole
        case (true, false): return .header
        case (false, true): return .text
        case (false, false): return .metadata
        }
    }

    /// True when an attribute sets `\Seen` (BODY[...] without PEEK, RFC822, RFC822.TEXT,
    /// BINARY[...] without PEEK): the session sets `\Seen` first and then builds the items
    /// with the new flags.
    public var setsSeen: Bool {
        attributes.contains { attribute in
            switch attribute {
            case .bodySection(_, _, let peek), .binary(_, _, let peek): !peek
            case .rfc822, .rfc822Text: true
            default: false
            }
        }
    }

    /// The items of one message's FETCH response, in the order asked. `message` must
    /// carry the content ``contentNeeded`` names.
    /// - Throws: ``IMAPFetchFailure/unknownTransferEncoding`` for BINARY of a part whose
    ///   Content-Transfer-Encoding is not 7bit, 8bit, binary, base64 or quoted-printable
    ///   (the session answers `NO [UNKNOWN-CTE]`); ``IMAPFetchFailure/missingContent``
    ///   when the message lacks the content needed; ``IMAPFetchFailure/sectionLimit`` when
    ///   the attributes ask for more sections or section bytes than ``configuration`` allows.
    public func items(for message: FetchedMessage) throws(IMAPFetchFailure) -> [IMAPFetchItem] {
        if let refusal = refusalBeforeFetch { throw refusal }
        let needed = contentNeeded
        var source: IMAPFetchSource?
        if needed != .metadata {
            guard let content = message.content else { throw .missingContent }
            source = IMAPFetchSource(content: content, kind: needed, byteBudget: configuration.maximumSectionBytesPerMessage)
        }
        var items: [IMAPFetchItem] = []
        items.reserveCapacity(attributes.count)
        for attribute in attributes {
            switch attribute {
            case .flags:
                items.append(.flags(message.flags.imapNames + message.keywords))
            case .uid:
                items.append(.uid(message.uid))
            case .internalDate:
                items.append(.internalDate(IMAPDateTime(message.internalDate)))
            case .rfc822Size:
                // The mailbox keeps the size in RFC 5322 form: the length of BODY[] as sent.
                items.append(.rfc822Size(UInt64(max(0, message.size))))
            case .modSeq:
                items.append(.modSeq(message.modSeq))
            case .envelope:
                guard let source else { throw .missingContent }
                items.append(.envelope(IMAPEnvelope(header: try source.messageHeader())))
            case .body:
                guard let source else { throw .missingContent }
                items.append(.body(try source.structure()))
            case .bodyStructure:
                guard let source else { throw .missingContent }
                items.append(.bodyStructure(try source.structure()))
            case .bodySection(let section, let partial, _):
                guard let source else { throw .missingContent }
                items.append(.bodySection(section, origin: partial?.offset, data: try source.section(section, partial: partial)))
            case .rfc822:
                guard let source else { throw .missingContent }
                items.append(.rfc822(try source.section(IMAPSection(), partial: nil)))
            case .rfc822Header:
                guard let source else { throw .missingContent }
                items.append(.rfc822Header(try source.section(IMAPSection(text: .header), partial: nil)))
            case .rfc822Text:
                guard let source else { throw .missingContent }
                items.append(.rfc822Text(try source.section(IMAPSection(text: .text), partial: nil)))
            case .binary(let part, let partial, _):
                guard let source else { throw .missingContent }
                items.append(.binary(part: part, origin: partial?.offset, data: try source.binary(part, partial: partial)))
            case .binarySize(let part):
                guard let source else { throw .missingContent }
                let size = UInt64(try source.binary(part, partial: nil).count)
                items.append(.binarySize(part: part, size: size))
            }
        }
        return items
    }
}
