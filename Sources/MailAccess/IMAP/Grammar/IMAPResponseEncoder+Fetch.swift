extension IMAPOutput {
    mutating func fetchItem(_ item: IMAPFetchItem) {
        switch item {
        case .uid(let uid):
            raw("UID ")
            number(uid)
        case .flags(let flags):
            raw("FLAGS ")
            atomList(flags)
        case .internalDate(let date):
            raw("INTERNALDATE ")
            dateTime(date)
        case .rfc822Size(let size): raw("RFC822.SIZE \(size)")
        case .modSeq(let value):
            raw("MODSEQ (")
            number(value)
            raw(")")
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
            // Field names are case-insensitive; Dovecot echoes them uppercased, and so do we.
            for (position, name) in names.enumerated() {
                if position > 0 { space() }
                astring(Array(name.uppercased().utf8))
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
        textForPeople(envelope.subject)
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
            textForPeople(address.name)
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

    /// A subject or display name as Dovecot writes it, so clients see the same text from
    /// both: runs of spaces and tabs become one space, line breaks go, leading and trailing
    /// whitespace is dropped, NUL becomes 0x80; text that needed any of that, or holds `"`,
    /// `\` or 8-bit bytes, goes as a literal, otherwise quoted.
    mutating func textForPeople(_ value: String?) {
        guard let value else {
            raw("NIL")
            return
        }
        var output: [UInt8] = []
        var changed = false
        var afterSpace = true
        for byte in value.utf8 {
            switch byte {
            case 0x0d, 0x0a:
                changed = true
            case 0x20, 0x09:
                if byte == 0x09 || afterSpace { changed = true }
                if !afterSpace { output.append(0x20) }
                afterSpace = true
            case 0x00:
                changed = true
                output.append(0x80)
                afterSpace = false
            default:
                if byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { changed = true }
                output.append(byte)
                afterSpace = false
            }
        }
        if output.last == 0x20 {
            output.removeLast()
            changed = true
        }
        if !changed {
            bytes.append(UInt8(ascii: "\""))
            bytes += output
            bytes.append(UInt8(ascii: "\""))
        } else if output.isEmpty {
            raw("\"\"")
        } else {
            literal(output, binary: false)
        }
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
            // Always the list form (RFC 9051 allows a single string too; Dovecot sends a list).
            raw("(")
            for (position, tag) in language.enumerated() {
                if position > 0 { space() }
                string(tag)
            }
            raw(")")
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
