extension IMAPOutput {
    mutating func responseCode(_ code: IMAPResponseCode) {
        switch code {
        case .alert: raw("ALERT")
        case .badCharset(let charsets):
            raw("BADCHARSET")
            if !charsets.isEmpty {
                raw(" (")
                for (position, charset) in charsets.enumerated() {
                    if position > 0 { space() }
                    astring(Array(charset.utf8))
                }
                raw(")")
            }
        case .capability(let names): raw("CAPABILITY " + names.joined(separator: " "))
        case .parse: raw("PARSE")
        case .permanentFlags(let flags):
            raw("PERMANENTFLAGS ")
            atomList(flags)
        case .readOnly: raw("READ-ONLY")
        case .readWrite: raw("READ-WRITE")
        case .tryCreate: raw("TRYCREATE")
        case .uidNext(let value): raw("UIDNEXT \(value)")
        case .uidValidity(let value): raw("UIDVALIDITY \(value)")
        case .unseen(let value): raw("UNSEEN \(value)")
        case .appendUID(let validity, let uids):
            raw("APPENDUID \(validity) ")
            sequenceSet(uids)
        case .copyUID(let validity, let source, let destination):
            raw("COPYUID \(validity) ")
            sequenceSet(source)
            space()
            sequenceSet(destination)
        case .uidNotSticky: raw("UIDNOTSTICKY")
        case .highestModSeq(let value): raw("HIGHESTMODSEQ \(value)")
        case .noModSeq: raw("NOMODSEQ")
        case .modified(let set):
            raw("MODIFIED ")
            sequenceSet(set)
        case .closed: raw("CLOSED")
        case .tooBig: raw("TOOBIG")
        case .limit: raw("LIMIT")
        case .overQuota: raw("OVERQUOTA")
        case .authenticationFailed: raw("AUTHENTICATIONFAILED")
        case .authorizationFailed: raw("AUTHORIZATIONFAILED")
        case .unavailable: raw("UNAVAILABLE")
        case .nonExistent: raw("NONEXISTENT")
        case .alreadyExists: raw("ALREADYEXISTS")
        case .cannot: raw("CANNOT")
        case .inUse: raw("INUSE")
        case .serverBug: raw("SERVERBUG")
        case .clientBug: raw("CLIENTBUG")
        case .noPerm: raw("NOPERM")
        case .privacyRequired: raw("PRIVACYREQUIRED")
        case .contactAdmin: raw("CONTACTADMIN")
        case .expungeIssued: raw("EXPUNGEISSUED")
        case .corruption: raw("CORRUPTION")
        case .hasChildren: raw("HASCHILDREN")
        case .expired: raw("EXPIRED")
        case .unknownCTE: raw("UNKNOWN-CTE")
        case .useAttribute: raw("USEATTR")
        case .notSaved: raw("NOTSAVED")
        case .other(let atom, let argument):
            raw(atom)
            if let argument {
                space()
                // resp-text-code's free form: any TEXT-CHAR but "]".
                text(String(argument.map { $0 == "]" ? " " : $0 }))
            }
        }
    }

    mutating func data(_ data: IMAPResponseData) {
        switch data {
        case .condition(let status): statusResponse(status)
        case .capability(let names): raw("CAPABILITY " + names.joined(separator: " "))
        case .enabled(let names): raw((["ENABLED"] + names).joined(separator: " "))
        case .flags(let flags):
            raw("FLAGS ")
            atomList(flags)
        case .exists(let count): raw("\(count) EXISTS")
        case .recent(let count): raw("\(count) RECENT")
        case .expunge(let number): raw("\(number) EXPUNGE")
        case .vanished(let earlier, let uids):
            raw(earlier ? "VANISHED (EARLIER) " : "VANISHED ")
            sequenceSet(uids)
        case .list(let item):
            raw("LIST ")
            listItem(item)
        case .lsub(let item):
            raw("LSUB ")
            listItem(item)
        case .status(let mailbox, let values):
            raw("STATUS ")
            self.mailbox(mailbox)
            raw(" (")
            raw(values.map { "\($0.attribute.rawValue) \($0.value)" }.joined(separator: " "))
            raw(")")
        case .search(let numbers, let modSeq):
            raw("SEARCH")
            for number in numbers { raw(" \(number)") }
            if let modSeq { raw(" (MODSEQ \(modSeq))") }
        case .esearch(let response): esearch(response)
        case .fetch(let number, let items):
            self.number(number)
            raw(" FETCH (")
            for (position, item) in items.enumerated() {
                if position > 0 { space() }
                fetchItem(item)
            }
            raw(")")
        case .id(let fields):
            raw("ID ")
            guard let fields, !fields.isEmpty else {
                raw("NIL")
                return
            }
            raw("(")
            for (position, field) in fields.enumerated() {
                if position > 0 { space() }
                string(field.name)
                space()
                nstring(field.value)
            }
            raw(")")
        case .namespace(let personal, let other, let shared):
            raw("NAMESPACE ")
            namespaces(personal)
            space()
            namespaces(other)
            space()
            namespaces(shared)
        case .quota(let root, let resources):
            raw("QUOTA ")
            astring(Array(root.utf8))
            raw(" (")
            raw(resources.map { "\($0.name) \($0.usage) \($0.limit)" }.joined(separator: " "))
            raw(")")
        case .quotaRoot(let mailbox, let roots):
            raw("QUOTAROOT ")
            self.mailbox(mailbox)
            for root in roots {
                space()
                astring(Array(root.utf8))
            }
        }
    }

    private mutating func delimiter(_ delimiter: Character?) {
        if let delimiter { string(String(delimiter)) } else { raw("NIL") }
    }

    private mutating func listItem(_ item: IMAPListItem) {
        atomList(item.attributes)
        space()
        delimiter(item.delimiter)
        space()
        mailbox(item.name)
        guard !item.childInfo.isEmpty || item.oldName != nil else { return }
        raw(" (")
        var first = true
        if !item.childInfo.isEmpty {
            raw("\"CHILDINFO\" (")
            for (position, info) in item.childInfo.enumerated() {
                if position > 0 { space() }
                string(info)
            }
            raw(")")
            first = false
        }
        if let oldName = item.oldName {
            if !first { space() }
            raw("\"OLDNAME\" (")
            mailbox(oldName)
            raw(")")
        }
        raw(")")
    }

    private mutating func namespaces(_ namespaces: [IMAPNamespace]?) {
        guard let namespaces, !namespaces.isEmpty else {
            raw("NIL")
            return
        }
        raw("(")
        for namespace in namespaces {
            raw("(")
            string(IMAPMailboxName.encode(namespace.prefix, utf8: utf8))
            space()
            delimiter(namespace.delimiter)
            raw(")")
        }
        raw(")")
    }

    private mutating func esearch(_ response: IMAPESearchResponse) {
        raw("ESEARCH")
        if let tag = response.tag {
            raw(" (TAG ")
            string(tag)
            raw(")")
        }
        if response.uid { raw(" UID") }
        if let min = response.min { raw(" MIN \(min)") }
        if let max = response.max { raw(" MAX \(max)") }
        if let all = response.all {
            raw(" ALL ")
            sequenceSet(all)
        }
        if let count = response.count { raw(" COUNT \(count)") }
        if let modSeq = response.modSeq { raw(" MODSEQ \(modSeq)") }
    }
}
