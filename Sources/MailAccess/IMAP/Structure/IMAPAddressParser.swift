/// Splits an address header's unfolded value (RFC 5322 section 3.4, with the obsolete
/// forms of section 4.4) into ENVELOPE addresses. Never fails: what is not an address is
/// skipped, a local part without a domain gets the host `MISSING_DOMAIN` (as Dovecot
/// does), and a display name missing before `<...>` or an addr-spec is taken from a
/// trailing comment (`user@host (Name)`). Encoded words stay encoded.
enum IMAPAddressParser {
    private enum Token: Equatable {
        case word(String)
        case quoted(String)
        case special(Character)
        case domainLiteral(String)
        case comment(String)
    }

    private struct Item {
        var token: Token
        var spaceBefore: Bool
    }

    /// The addresses in `value`; nil when there are none.
    static func addresses(_ value: String?) -> [IMAPAddress]? {
        guard let value else { return nil }
        let items = tokenize(value)
        var result: [IMAPAddress] = []
        var inGroup = false
        var index = 0
        var previousStop: Character?
        while index < items.count {
            var itemComments: [String] = []
            // Everything up to the next `,`, `;`, or a group's `:`.
            var phrase: [Item] = []
            var angle: [Item]?
            var stop: Character?
            while index < items.count {
                let item = items[index]
                index += 1
                if case .comment(let comment) = item.token {
                    itemComments.append(comment)
                    continue
                }
                if case .special(let character) = item.token {
                    if character == "<" {
                        var inside: [Item] = []
                        while index < items.count, items[index].token != .special(">") {
                            if case .comment = items[index].token {} else { inside.append(items[index]) }
                            index += 1
                        }
                        index += 1
                        angle = inside
                        continue
                    }
                    if character == "," || character == ";" || (character == ":" && angle == nil && !phrase.contains { $0.token == .special("@") }) {
                        stop = character
                        break
                    }
                }
                if angle == nil { phrase.append(item) }
            }
            if stop == ":" {
                previousStop = stop
                inGroup = true
                result.append(.groupStart(join(phrase, spaced: true)))
                continue
            }
            if let angle {
                let (route, mailbox, host) = addrSpec(angle)
                var name = join(phrase, spaced: true)
                if name.isEmpty, let comment = itemComments.first { name = comment }
                result.append(IMAPAddress(name: name.isEmpty ? nil : name, route: route, mailbox: mailbox, host: host))
            } else if !phrase.isEmpty {
                let (route, mailbox, host) = addrSpec(phrase)
                result.append(IMAPAddress(name: itemComments.first, route: route, mailbox: mailbox, host: host))
            } else if stop == "," && previousStop == "," {
                // `a, , b`: an empty entry between two commas (Dovecot shows it as missing).
                result.append(IMAPAddress(name: nil, mailbox: "MISSING_MAILBOX", host: "MISSING_DOMAIN"))
            }
            previousStop = stop
            if stop == ";" && inGroup {
                inGroup = false
                result.append(.groupEnd)
            }
        }
        if inGroup { result.append(.groupEnd) }
        return result.isEmpty ? nil : result
    }

    /// `[@route,@route:]local@domain`.
    private static func addrSpec(_ items: [Item]) -> (route: String?, mailbox: String?, host: String?) {
        var items = items[...]
        var route: String?
        if let colon = items.firstIndex(where: { $0.token == .special(":") }), items.first?.token == .special("@") {
            route = join(Array(items[..<colon]), spaced: false)
            items = items[(colon + 1)...]
        }
        guard let at = items.lastIndex(where: { $0.token == .special("@") }) else {
            let local = join(Array(items), spaced: false)
            return (route, local.isEmpty ? "MISSING_MAILBOX" : local, "MISSING_DOMAIN")
        }
        let local = join(Array(items[..<at]), spaced: false)
        let domain = join(Array(items[(at + 1)...]), spaced: false)
        return (route, local.isEmpty ? "MISSING_MAILBOX" : local, domain.isEmpty ? "MISSING_DOMAIN" : domain)
    }

    private static func join(_ items: [Item], spaced: Bool) -> String {
        var text = ""
        for item in items {
            if spaced && item.spaceBefore && !text.isEmpty { text.append(" ") }
            switch item.token {
            case .word(let word), .quoted(let word): text += word
            case .special(let character): text.append(character)
            case .domainLiteral(let literal): text += "[" + literal + "]"
            case .comment: break
            }
        }
        return text
    }

    /// The tokens of `value`, whitespace noted on each.
    private static func tokenize(_ value: String) -> [Item] {
        var items: [Item] = []
        var characters = Array(value)[...]
        var spaceBefore = false
        while let character = characters.first {
            switch character {
            case " ", "\t", "\r", "\n":
                spaceBefore = true
                characters = characters.dropFirst()
            case "(":
                // A comment, nested and with quoted pairs; unterminated ones end at the end.
                var depth = 0
                var comment = ""
                while let next = characters.first {
                    characters = characters.dropFirst()
                    if next == "\\", let escaped = characters.first {
                        comment.append(escaped)
                        characters = characters.dropFirst()
                        continue
                    }
                    if next == "(" {
                        depth += 1
                        if depth == 1 { continue }
                    } else if next == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    comment.append(next)
                }
                items.append(Item(token: .comment(comment), spaceBefore: spaceBefore))
                spaceBefore = true
            case "\"":
                characters = characters.dropFirst()
                var text = ""
                while let next = characters.first {
                    characters = characters.dropFirst()
                    if next == "\"" { break }
                    if next == "\\", let escaped = characters.first {
                        text.append(escaped)
                        characters = characters.dropFirst()
                    } else {
                        text.append(next)
                    }
                }
                items.append(Item(token: .quoted(text), spaceBefore: spaceBefore))
                spaceBefore = false
            case "[":
                characters = characters.dropFirst()
                var text = ""
                while let next = characters.first, next != "]" {
                    text.append(next)
                    characters = characters.dropFirst()
                }
                characters = characters.dropFirst()
                items.append(Item(token: .domainLiteral(text), spaceBefore: spaceBefore))
                spaceBefore = false
            case "<", ">", "@", ",", ";", ":", ".":
                items.append(Item(token: .special(character), spaceBefore: spaceBefore))
                characters = characters.dropFirst()
                spaceBefore = false
            default:
                var word = ""
                while let next = characters.first, !" \t\r\n()\"[<>@,;:.".contains(next) {
                    word.append(next)
                    characters = characters.dropFirst()
                }
                if word.isEmpty, let stray = characters.first {
                    // A stray `)` or `]`: a word of its own, so the scan always moves on.
                    word.append(stray)
                    characters = characters.dropFirst()
                }
                items.append(Item(token: .word(word), spaceBefore: spaceBefore))
                spaceBefore = false
            }
        }
        return items
    }
}
