extension IMAPCommandReader {
    /// FETCH sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")") [modifiers].
    mutating func fetch(uid: Bool) throws(Failure) -> IMAPCommand.Kind {
        try space()
        let set = try sequenceSet()
        try space()
        var attributes: [IMAPFetchAttribute]
        if consumeKeyword("ALL") {
            attributes = [.flags, .internalDate, .rfc822Size, .envelope]
        } else if consumeKeyword("FAST") {
            attributes = [.flags, .internalDate, .rfc822Size]
        } else if consumeKeyword("FULL") {
            attributes = [.flags, .internalDate, .rfc822Size, .envelope, .body]
        } else if peek() == UInt8(ascii: "(") {
            attributes = try parenthesized(allowEmpty: false) { (reader: inout IMAPCommandReader) throws(Failure) in try reader.fetchAttribute() }
        } else {
            attributes = [try fetchAttribute()]
        }
        var modifiers = IMAPFetchModifiers()
        if consume(0x20) {
            _ = try parenthesized(allowEmpty: false) { (reader: inout IMAPCommandReader) throws(Failure) -> Void in
                switch try reader.keyword() {
                case "CHANGEDSINCE":
                    try reader.space()
                    modifiers.changedSince = try reader.number64()
                case "VANISHED": modifiers.vanished = true
                default: throw reader.fail("unknown FETCH modifier")
                }
            }
            // RFC 7162 section 3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
            if modifiers.vanished && (!uid || modifiers.changedSince == nil) { throw fail("VANISHED needs UID FETCH and CHANGEDSINCE") }
        }
        if uid && !attributes.contains(.uid) { attributes.append(.uid) }
        // RFC 7162 section 3.1.4.1: CHANGEDSINCE implies the MODSEQ item.
        if modifiers.changedSince != nil && !attributes.contains(.modSeq) { attributes.append(.modSeq) }
        return .fetch(set, attributes: attributes, modifiers: modifiers, uid: uid)
    }

    /// The name of a fetch item: letters, digits, dots and dashes.
    private mutating func fetchName() throws(Failure) -> String {
        let start = index
        while let byte = peek(), Self.isAtomChar(byte), byte != UInt8(ascii: "["), byte != UInt8(ascii: "<") { index += 1 }
        guard index > start else { throw fail("expected a FETCH item") }
        return String(decoding: bytes[start..<index], as: UTF8.self).uppercased()
    }

    mutating func fetchAttribute() throws(Failure) -> IMAPFetchAttribute {
        let name = try fetchName()
        switch name {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "BODY" where peek() != UInt8(ascii: "["): return .body
        case "BODY", "BODY.PEEK":
            let section = try section()
            return .bodySection(section, partial: try partial(), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK":
            let part = try binaryPart()
            return .binary(part: part, partial: try partial(), peek: name == "BINARY.PEEK")
        case "BINARY.SIZE": return .binarySize(part: try binaryPart())
        default: throw fail("unknown FETCH item")
        }
    }

    /// "[" [section-part] "]" of BINARY.
    private mutating func binaryPart() throws(Failure) -> [UInt32] {
        try expect(UInt8(ascii: "["))
        var part: [UInt32] = []
        if !consume(UInt8(ascii: "]")) {
            repeat {
                guard part.count < configuration.maximumNestingDepth else { throw tooMany("part numbers") }
                part.append(try nonZeroNumber())
            } while consume(UInt8(ascii: "."))
            try expect(UInt8(ascii: "]"))
        }
        return part
    }

    /// "[" [section-spec] "]".
    private mutating func section() throws(Failure) -> IMAPSection {
        try expect(UInt8(ascii: "["))
        var section = IMAPSection()
        if consume(UInt8(ascii: "]")) { return section }
        var afterDot = false
        while let byte = peek(), (0x30...0x39).contains(byte) {
            guard section.part.count < configuration.maximumNestingDepth else { throw tooMany("part numbers") }
            section.part.append(try nonZeroNumber())
            afterDot = consume(UInt8(ascii: "."))
            guard afterDot else { break }
        }
        // `1.` must go on with a section text; `1]` must not have a dot.
        if afterDot || !consume(UInt8(ascii: "]")) {
            let name = try fetchName()
            switch name {
            case "HEADER": section.text = .header
            case "TEXT": section.text = .text
            case "MIME":
                guard !section.part.isEmpty else { throw fail("MIME needs a part number") }
                section.text = .mime
            case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
                try space()
                let names = try parenthesized(allowEmpty: false) { (reader: inout IMAPCommandReader) throws(Failure) in
                    try reader.astringText("a header field name")
                }
                section.text = name == "HEADER.FIELDS" ? .headerFields(names) : .headerFieldsNot(names)
            default: throw fail("unknown section")
            }
            try expect(UInt8(ascii: "]"))
        }
        return section
    }

    /// ["<" number "." nz-number ">"].
    private mutating func partial() throws(Failure) -> IMAPPartial? {
        guard consume(UInt8(ascii: "<")) else { return nil }
        let offset = try number64()
        try expect(UInt8(ascii: "."))
        let length = try number64()
        guard length > 0 else { throw fail("a partial length must not be zero") }
        try expect(UInt8(ascii: ">"))
        return IMAPPartial(offset: offset, length: length)
    }
}
