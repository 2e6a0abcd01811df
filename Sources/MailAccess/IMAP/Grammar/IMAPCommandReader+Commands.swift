extension IMAPCommandReader {
    /// The whole command: tag, verb, arguments, nothing after. (NUL never passes: no atom,
    /// quoted string or literal but literal8 takes it.)
    mutating func readCommand() throws(Failure) -> IMAPCommand {
        let tag = try tag()
        parsedTag = tag
        try space()
        let verb = try keyword()
        let kind = try arguments(of: verb)
        guard isAtEnd else { throw fail("unexpected bytes after the command") }
        return IMAPCommand(tag: tag, kind: kind)
    }

    private mutating func arguments(of verb: String) throws(Failure) -> IMAPCommand.Kind {
        switch verb {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .startTLS
        case "NAMESPACE": return .namespace
        case "IDLE": return .idle
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "AUTHENTICATE": return try authenticate()
        case "LOGIN":
            try space()
            let username = try astringText("the user name")
            try space()
            return .login(username: username, password: IMAPSecret(try astring()))
        case "ENABLE":
            var names: [String] = []
            while consume(0x20) {
                guard names.count < configuration.maximumItems else { throw tooMany("capabilities") }
                names.append(try atom())
            }
            guard !names.isEmpty else { throw fail("ENABLE needs a capability") }
            return .enable(names)
        case "ID": return try id()
        case "SELECT", "EXAMINE":
            try space()
            let mailbox = try mailbox()
            let parameters = try selectParameters()
            return verb == "SELECT" ? .select(mailbox: mailbox, parameters: parameters) : .examine(mailbox: mailbox, parameters: parameters)
        case "CREATE":
            try space()
            let mailbox = try mailbox()
            var specialUse: [String] = []
            if consume(0x20) {
                try expect(UInt8(ascii: "("))
                guard consumeKeyword("USE") else { throw fail("unknown CREATE parameter") }
                try space()
                specialUse = try flagList()
                try expect(UInt8(ascii: ")"))
            }
            return .create(mailbox: mailbox, specialUse: specialUse)
        case "DELETE":
            try space()
            return .delete(mailbox: try mailbox())
        case "RENAME":
            try space()
            let from = try mailbox()
            try space()
            return .rename(from: from, to: try mailbox())
        case "SUBSCRIBE":
            try space()
            return .subscribe(mailbox: try mailbox())
        case "UNSUBSCRIBE":
            try space()
            return .unsubscribe(mailbox: try mailbox())
        case "LIST": return .list(try list())
        case "LSUB":
            try space()
            let reference = try mailbox()
            try space()
            return .lsub(reference: reference, pattern: try listMailbox())
        case "STATUS":
            try space()
            let mailbox = try mailbox()
            try space()
            return .status(mailbox: mailbox, attributes: try statusAttributes())
        case "APPEND": return try append()
        case "SEARCH": return .search(try search(), uid: false)
        case "FETCH": return try fetch(uid: false)
        case "STORE": return try store(uid: false)
        case "COPY", "MOVE": return try copyOrMove(verb, uid: false)
        case "UID": return try uidCommand()
        case "GETQUOTA":
            try space()
            return .getQuota(root: try astringText("the quota root"))
        case "GETQUOTAROOT":
            try space()
            return .getQuotaRoot(mailbox: try mailbox())
        case "SETQUOTA":
            try space()
            let root = try astringText("the quota root")
            try space()
            let limits = try parenthesized { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPQuotaLimit in
                let resource = try reader.keyword()
                try reader.space()
                return IMAPQuotaLimit(resource: resource, limit: try reader.number64())
            }
            return .setQuota(root: root, limits: limits)
        default:
            throw fail("unknown command")
        }
    }

    private mutating func uidCommand() throws(Failure) -> IMAPCommand.Kind {
        try space()
        let verb = try keyword()
        switch verb {
        case "FETCH": return try fetch(uid: true)
        case "STORE": return try store(uid: true)
        case "COPY", "MOVE": return try copyOrMove(verb, uid: true)
        case "SEARCH": return .search(try search(), uid: true)
        case "EXPUNGE":
            try space()
            return .uidExpunge(try sequenceSet())
        default: throw fail("unknown UID command")
        }
    }

    private mutating func authenticate() throws(Failure) -> IMAPCommand.Kind {
        try space()
        let mechanism = try keyword()
        guard consume(0x20) else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        let start = index
        while let byte = peek(), byte != 0x20 { index += 1 }
        guard let decoded = IMAPBase64.decode(Array(bytes[start..<index])) else { throw fail("the initial response is not base64") }
        return .authenticate(mechanism: mechanism, initialResponse: IMAPSecret(decoded))
    }

    private mutating func id() throws(Failure) -> IMAPCommand.Kind {
        try space()
        if consumeKeyword("NIL") { return .id(nil) }
        let fields = try parenthesized { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPIDField in
            let name = try reader.text(try reader.string().bytes, "an ID field name")
            try reader.space()
            let value = try reader.nstring()
            return IMAPIDField(name: name, value: try value.map { (bytes) throws(Failure) in try reader.text(bytes, "an ID value") })
        }
        return .id(fields)
    }

    private mutating func selectParameters() throws(Failure) -> IMAPSelectParameters {
        var parameters = IMAPSelectParameters()
        guard consume(0x20) else { return parameters }
        _ = try parenthesized(allowEmpty: false) { (reader: inout IMAPCommandReader) throws(Failure) -> Void in
            let name = try reader.keyword()
            switch name {
            case "CONDSTORE": parameters.condStore = true
            case "QRESYNC":
                try reader.space()
                try reader.expect(UInt8(ascii: "("))
                let uidValidity = try reader.nonZeroNumber()
                try reader.space()
                let modSeq = try reader.number64()
                var known: IMAPSequenceSet?
                var match: IMAPSequenceMatch?
                if reader.consume(0x20) {
                    if reader.peek() != UInt8(ascii: "(") {
                        known = try reader.sequenceSet()
                        if reader.consume(0x20) { match = try reader.sequenceMatch() }
                    } else {
                        match = try reader.sequenceMatch()
                    }
                }
                try reader.expect(UInt8(ascii: ")"))
                parameters.qresync = IMAPQResyncParameters(uidValidity: uidValidity, modSeq: modSeq, knownUIDs: known, sequenceMatch: match)
            default: throw reader.fail("unknown SELECT parameter")
            }
        }
        return parameters
    }

    private mutating func sequenceMatch() throws(Failure) -> IMAPSequenceMatch {
        try expect(UInt8(ascii: "("))
        let numbers = try sequenceSet()
        try space()
        let uids = try sequenceSet()
        try expect(UInt8(ascii: ")"))
        return IMAPSequenceMatch(sequenceNumbers: numbers, uids: uids)
    }

    private mutating func list() throws(Failure) -> IMAPListCommand {
        try space()
        var selection: [IMAPListSelectionOption] = []
        if peek() == UInt8(ascii: "(") {
            selection = try parenthesized { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPListSelectionOption in
                switch try reader.keyword() {
                case "SUBSCRIBED": .subscribed
                case "REMOTE": .remote
                case "RECURSIVEMATCH": .recursiveMatch
                case "SPECIAL-USE": .specialUse
                case let other: .other(other)
                }
            }
            try space()
        }
        let reference = try mailbox()
        try space()
        let patterns: [String]
        if peek() == UInt8(ascii: "(") {
            patterns = try parenthesized(allowEmpty: false) { (reader: inout IMAPCommandReader) throws(Failure) in try reader.listMailbox() }
        } else {
            patterns = [try listMailbox()]
        }
        var returns: [IMAPListReturnOption] = []
        if consume(0x20) {
            guard consumeKeyword("RETURN") else { throw fail("expected RETURN") }
            try space()
            returns = try parenthesized { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPListReturnOption in
                switch try reader.keyword() {
                case "SUBSCRIBED": return .subscribed
                case "CHILDREN": return .children
                case "SPECIAL-USE": return .specialUse
                case "STATUS":
                    try reader.space()
                    return .status(try reader.statusAttributes())
                case let other: return .other(other)
                }
            }
        }
        return IMAPListCommand(selectionOptions: selection, reference: reference, patterns: patterns, returnOptions: returns)
    }

    mutating func statusAttributes() throws(Failure) -> [IMAPStatusAttribute] {
        try parenthesized(allowEmpty: false) { (reader: inout IMAPCommandReader) throws(Failure) -> IMAPStatusAttribute in
            guard let attribute = IMAPStatusAttribute(rawValue: try reader.keyword()) else { throw reader.fail("unknown STATUS item") }
            return attribute
        }
    }

    private mutating func append() throws(Failure) -> IMAPCommand.Kind {
        try space()
        let mailbox = try mailbox()
        var messages: [IMAPAppendMessage] = []
        while consume(0x20) {
            guard messages.count < configuration.maximumItems else { throw tooMany("messages") }
            var flags: [String] = []
            var date: IMAPDateTime?
            if peek() == UInt8(ascii: "(") {
                flags = try flagList()
                try space()
            }
            if peek() == UInt8(ascii: "\"") {
                date = try dateTime()
                try space()
            }
            let data: (bytes: [UInt8], isBinary: Bool)
            if consumeKeyword("UTF8") {
                // RFC 6855 section 4: APPEND ... UTF8 (literal8).
                try space()
                try expect(UInt8(ascii: "("))
                guard peek() == UInt8(ascii: "~") else { throw fail("UTF8 takes a literal8") }
                data = try string(allowingBinary: true)
                try expect(UInt8(ascii: ")"))
            } else {
                guard peek() == UInt8(ascii: "{") || peek() == UInt8(ascii: "~") else { throw fail("APPEND takes a literal") }
                data = try string(allowingBinary: true)
            }
            messages.append(IMAPAppendMessage(flags: flags, internalDate: date, data: data.bytes, isBinary: data.isBinary))
        }
        guard !messages.isEmpty else { throw fail("APPEND needs a message") }
        return .append(mailbox: mailbox, messages: messages)
    }

    private mutating func store(uid: Bool) throws(Failure) -> IMAPCommand.Kind {
        try space()
        let set = try sequenceSet()
        try space()
        var unchangedSince: UInt64?
        if consume(UInt8(ascii: "(")) {
            guard consumeKeyword("UNCHANGEDSINCE") else { throw fail("unknown STORE modifier") }
            try space()
            unchangedSince = try number64()
            try expect(UInt8(ascii: ")"))
            try space()
        }
        let mode: IMAPStoreAction.Mode
        if consume(UInt8(ascii: "+")) { mode = .add } else if consume(UInt8(ascii: "-")) { mode = .remove } else { mode = .replace }
        let silent: Bool
        switch try keyword() {
        case "FLAGS": silent = false
        case "FLAGS.SILENT": silent = true
        default: throw fail("expected FLAGS")
        }
        try space()
        var flags: [String]
        if peek() == UInt8(ascii: "(") {
            flags = try flagList()
        } else {
            flags = [try flag()]
            while consume(0x20) {
                guard flags.count < configuration.maximumItems else { throw tooMany("flags") }
                flags.append(try flag())
            }
        }
        return .store(set, action: IMAPStoreAction(mode: mode, silent: silent, flags: flags), unchangedSince: unchangedSince, uid: uid)
    }

    private mutating func copyOrMove(_ verb: String, uid: Bool) throws(Failure) -> IMAPCommand.Kind {
        try space()
        let set = try sequenceSet()
        try space()
        let mailbox = try mailbox()
        return verb == "COPY" ? .copy(set, mailbox: mailbox, uid: uid) : .move(set, mailbox: mailbox, uid: uid)
    }
}
