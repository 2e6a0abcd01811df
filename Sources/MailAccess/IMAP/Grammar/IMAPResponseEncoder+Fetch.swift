extension IMAPOutput {
    mutating func fetchItem(_ item: IMAPFetchItem) {
        switch item {
        case .uid(let uid): raw("UID \(uid)")
        case .flags(let flags):
            raw("FLAGS ")
            atomList(flags)
        case .internalDate(let date):
            raw("INTERNALDATE ")
            dateTime(date)
        case .rfc822Size(let size): raw("RFC822.SIZE \(size)")
        case .modSeq(let value): raw("MODSEQ (\(value))")
        case .envelope(let envelope):
            raw("ENVELOPE ")
            self.envelope(envelope)
        case .body(let structure):
            raw("BODY ")
            bodyStructure(structure, extensions: false)
        case .bodyStructure(let structure):
            raw("BODYSTRUCTURE ")
            bodyStructure(structure, extensions: true)
        case .bodySection(let section, let origin, let data):
            raw("BODY[")
            self.section(section)
            raw("]")
            if let origin { raw("<\(origin)>") }
            space()
            sectionData(data)
        case .rfc822(let data):
            raw("RFC822 ")
            sectionData(data)
        case .rfc822Header(let data):
            raw("RFC822.HEADER ")
            sectionData(data)
        case .rfc822Text(let data):
            raw("RFC822.TEXT ")
            sectionData(data)
        case .binary(let part, let origin, let data):
            raw("BINARY[" + part.map(String.init).joined(separator: ".") + "]")
            if let origin { raw("<\(origin)>") }
            space()
            if let data {
                if data.contains(0) { literal(data, binary: true) } else { literal(data, binary: false) }
            } else {
                raw("NIL")
            }
        case .binarySize(let part, let size):
            raw("BINARY.SIZE[" + part.map(String.init).joined(separator: ".") + "] \(size)")
        }
    }

    /// Message data always goes as a literal (it holds CRLF), NIL when absent.
    private mutating func sectionData(_ data: [UInt8]?) {
        if let data { literal(data, binary: false) } else { raw("NIL") }
    }

    mutating func section(_ section: IMAPSection) {
        var parts = section.part.map(String.init)
        switch section.text {
        case nil: break
        case .header: parts.append("HEADER")
        case .text: parts.append("TEXT")
        case .mime: parts.append("MIME")
        case .headerFields(let names), .headerFieldsNot(let names):
            if case .headerFields = section.text { parts.append("HEADER.FIELDS") } else { parts.append("HEADER.FIELDS.NOT") }
            raw(parts.joined(separator: "."))
            raw(" (")
            for (position, name) in names.enumerated() {
                if position > 0 { space() }
                astring(Array(name.utf8))
            }
            raw(")")
            return
        }
        raw(parts.joined(separator: "."))
    }

    mutating func envelope(_ envelope: IMAPEnvelope) {
        raw("(")
        nstring(envelope.date)
        space()
        nstring(envelope.subject)
        for list in [envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc] {
            space()
            addresses(list)
        }
        space()
        nstring(envelope.inReplyTo)
        space()
        nstring(envelope.messageID)
        raw(")")
    }

    private mutating func addresses(_ list: [IMAPAddress]?) {
        guard let list, !list.isEmpty else {
            raw("NIL")
            return
        }
        raw("(")
        for address in list {
            raw("(")
            nstring(address.name)
            space()
            nstring(address.route)
            space()
            nstring(address.mailbox)
            space()
            nstring(address.host)
            raw(")")
        }
        raw(")")
    }

    mutating func bodyStructure(_ structure: IMAPBodyStructure, extensions: Bool) {
        raw("(")
        switch structure {
        case .multipart(let multipart):
            for part in multipart.parts { bodyStructure(part, extensions: extensions) }
            space()
            string(multipart.subtype)
            if extensions {
                space()
                parameters(multipart.parameters)
                bodyExtension(multipart.extensions)
            }
        case .single(let part):
            string(part.type)
            space()
            string(part.subtype)
            space()
            parameters(part.parameters)
            space()
            nstring(part.id)
            space()
            nstring(part.description)
            space()
            string(part.encoding)
            raw(" \(part.size)")
            switch part.kind {
            case .basic: break
            case .text(let lines): raw(" \(lines)")
            case .message(let envelope, let body, let lines):
                space()
                self.envelope(envelope)
                space()
                bodyStructure(body, extensions: extensions)
                raw(" \(lines)")
            }
            if extensions {
                space()
                nstring(part.md5)
                bodyExtension(part.extensions)
            }
        }
        raw(")")
    }

    /// ` disposition language location`.
    private mutating func bodyExtension(_ extensions: IMAPBodyExtension) {
        space()
        if let disposition = extensions.disposition {
            raw("(")
            string(disposition.type)
            space()
            parameters(disposition.parameters)
            raw(")")
        } else {
            raw("NIL")
        }
        space()
        if let language = extensions.language, !language.isEmpty {
            if language.count == 1 {
                string(language[0])
            } else {
                raw("(")
                for (position, tag) in language.enumerated() {
                    if position > 0 { space() }
                    string(tag)
                }
                raw(")")
            }
        } else {
            raw("NIL")
        }
        space()
        nstring(extensions.location)
    }

    private mutating func parameters(_ parameters: [IMAPBodyParameter]) {
        guard !parameters.isEmpty else {
            raw("NIL")
            return
        }
        raw("(")
        for (position, parameter) in parameters.enumerated() {
            if position > 0 { space() }
            string(parameter.name)
            space()
            string(parameter.value)
        }
        raw(")")
    }
}
