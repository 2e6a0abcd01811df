extension IMAPCommandReader {
    /// The charsets SEARCH takes; others get `NO [BADCHARSET (...)]`.
    static let searchCharsets = ["UTF-8", "US-ASCII"]

    /// SEARCH [RETURN (...)] [CHARSET name] 1*(SP search-key).
    mutating func search() throws(Failure) -> IMAPSearchCommand {
        try space()
        var returnOptions: [IMAPSearchReturnOption]?
        if consumeKeyword("RETURN") {
            try space()
            returnOptions = try parenthesized { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPSearchReturnOption in
                guard let option = IMAPSearchReturnOption(rawValue: try reader.keyword()) else { throw reader.fail("unknown RETURN option") }
                return option
            }
            try space()
        }
        var charset: String?
        if consumeKeyword("CHARSET") {
            try space()
            let name = try astringText("the charset").uppercased()
            guard Self.searchCharsets.contains(name) || name == "ISO-8859-1" else {
                throw Failure(
                    status: .no, code: .badCharset(Self.searchCharsets),
                    error: MailAccessError.protocolViolation.with(message: "the charset is not supported"))
            }
            charset = name
            searchCharset = name
            try space()
        }
        var keys = [try searchKey()]
        while consume(0x20) { keys.append(try searchKey()) }
        return IMAPSearchCommand(charset: charset, returnOptions: returnOptions, key: keys.count == 1 ? keys[0] : .and(keys))
    }

    /// A search string decoded by the command's charset.
    private mutating func searchString() throws(Failure) -> String {
        let value = try astring()
        if searchCharset == "ISO-8859-1" { return String(value.map { Character(Unicode.Scalar($0)) }) }
        return try text(value, "a search string")
    }

    /// One search key; nesting (parentheses, NOT, OR) is bounded before descending.
    mutating func searchKey() throws(Failure) -> IMAPSearchKey {
        searchKeyCount += 1
        guard searchKeyCount <= configuration.maximumItems else { throw tooMany("search keys") }
        if peek() == UInt8(ascii: "(") {
            return try nested { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPSearchKey in
                reader.index += 1
                var keys = [try reader.searchKey()]
                while reader.consume(0x20) { keys.append(try reader.searchKey()) }
                try reader.expect(UInt8(ascii: ")"))
                return keys.count == 1 ? keys[0] : .and(keys)
            }
        }
        if let byte = peek(), (0x30...0x39).contains(byte) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "$") {
            return .sequenceSet(try sequenceSet())
        }
        let name = try keyword()
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "KEYWORD", "UNKEYWORD":
            try space()
            let flag = try atom()
            return name == "KEYWORD" ? .keyword(flag) : .unkeyword(flag)
        case "BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO":
            try space()
            let value = try searchString()
            switch name {
            case "BCC": return .bcc(value)
            case "BODY": return .body(value)
            case "CC": return .cc(value)
            case "FROM": return .from(value)
            case "SUBJECT": return .subject(value)
            case "TEXT": return .text(value)
            default: return .to(value)
            }
        case "HEADER":
            try space()
            let field = try astringText("a header field name")
            try space()
            return .header(field, try searchString())
        case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
            try space()
            let date = try date()
            switch name {
            case "BEFORE": return .before(date)
            case "ON": return .on(date)
            case "SINCE": return .since(date)
            case "SENTBEFORE": return .sentBefore(date)
            case "SENTON": return .sentOn(date)
            default: return .sentSince(date)
            }
        case "LARGER":
            try space()
            return .larger(try number64())
        case "SMALLER":
            try space()
            return .smaller(try number64())
        case "UID":
            try space()
            return .uid(try sequenceSet())
        case "MODSEQ":
            try space()
            var entry: IMAPModSeqEntry?
            if peek() == UInt8(ascii: "\"") {
                let entryName = try text(try string().bytes, "a MODSEQ entry name")
                try space()
                let type = try keyword().lowercased()
                guard ["priv", "shared", "all"].contains(type) else { throw fail("invalid MODSEQ entry type") }
                entry = IMAPModSeqEntry(name: entryName, type: type)
                try space()
            }
            return .modSeq(try number64(), entry: entry)
        case "NOT":
            try space()
            return try nested { (reader: inout IMAPCommandReader) throws(Failure) in .not(try reader.searchKey()) }
        case "OR":
            try space()
            return try nested { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPSearchKey in
                let first = try reader.searchKey()
                try reader.space()
                return .or(first, try reader.searchKey())
            }
        default:
            throw fail("unknown search key")
        }
    }

    /// Runs `body` one level deeper, refusing past the nesting limit before it recurses.
    mutating func nested<T>(_ body: (inout IMAPCommandReader) throws(Failure) -> T) throws(Failure) -> T {
        guard depth < configuration.maximumNestingDepth else {
            throw Failure(status: .bad, code: .limit, error: MailAccessError.limitExceeded.with(message: "nested too deeply"))
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }
}
