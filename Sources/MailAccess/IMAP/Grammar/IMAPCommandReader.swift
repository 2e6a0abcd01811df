/// Reads one whole command (its lines and literals exactly as framed by
/// ``IMAPCommandParser``) into an ``IMAPCommand``: a recursive-descent reader over bytes
/// whose recursion is bounded by ``IMAPCommandParser/Configuration/maximumNestingDepth``
/// before it descends.
struct IMAPCommandReader {
    /// Why the command was refused.
    struct Failure: Error {
        var status: IMAPStatus
        var code: IMAPResponseCode?
        var error: MailAccessError
    }

    let bytes: [UInt8]
    /// Where the command's bytes end (its final CRLF excluded).
    let end: Int
    var index = 0
    let configuration: IMAPCommandParser.Configuration
    let utf8MailboxNames: Bool
    /// The tag, once read.
    var parsedTag: String?
    /// The parentheses open around the current position.
    var depth = 0
    /// Search keys read so far (bounded by maximumItems).
    var searchKeyCount = 0
    /// The charset of the SEARCH being read.
    var searchCharset: String?

    init(_ bytes: [UInt8], configuration: IMAPCommandParser.Configuration, utf8MailboxNames: Bool) {
        self.bytes = bytes
        var end = bytes.count
        if end > 0, bytes[end - 1] == 0x0a { end -= 1 }
        if end > 0, bytes[end - 1] == 0x0d { end -= 1 }
        self.end = end
        self.configuration = configuration
        self.utf8MailboxNames = utf8MailboxNames
    }

    // MARK: Failures

    func fail(_ message: String) -> Failure {
        Failure(status: .bad, code: nil, error: MailAccessError.protocolViolation.with(message: message))
    }

    func tooMany(_ what: String) -> Failure {
        Failure(status: .bad, code: .limit, error: MailAccessError.limitExceeded.with(message: "too many \(what)"))
    }

    // MARK: Prefix look-ups for the framer

    /// The tag at the start of `bytes`, if it is a valid one.
    static func tag(in bytes: [UInt8]) -> String? {
        var reader = IMAPCommandReader(bytes, configuration: .init(), utf8MailboxNames: false)
        return try? reader.tag()
    }

    /// The command verb after the tag, uppercased (`UID` is followed by its verb).
    static func verb(in bytes: [UInt8]) -> String? {
        var reader = IMAPCommandReader(bytes, configuration: .init(), utf8MailboxNames: false)
        guard (try? reader.tag()) != nil, (try? reader.space()) != nil else { return nil }
        return try? reader.keyword()
    }

    // MARK: Bytes

    var isAtEnd: Bool { index >= end }

    func peek() -> UInt8? { index < end ? bytes[index] : nil }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard consume(byte) else { throw fail("expected \"\(Character(Unicode.Scalar(byte)))\"") }
    }

    mutating func space() throws(Failure) {
        guard consume(0x20) else { throw fail("expected a space") }
    }

    /// Consumes `word` (ASCII, any case) when it comes next, followed by a non-atom byte.
    mutating func consumeKeyword(_ word: String) -> Bool {
        let upper = Array(word.utf8)
        guard index + upper.count <= end else { return false }
        for (offset, byte) in upper.enumerated() where Self.uppercased(bytes[index + offset]) != byte { return false }
        let after = index + upper.count
        if after < end, Self.isAtomChar(bytes[after]) { return false }
        index = after
        return true
    }

    // MARK: Character classes (RFC 9051 section 9)

    static func uppercased(_ byte: UInt8) -> UInt8 { (0x61...0x7a).contains(byte) ? byte - 0x20 : byte }

    /// ATOM-CHAR: any CHAR except atom-specials.
    static func isAtomChar(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7f else { return false }
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"), UInt8(ascii: "\""),
            UInt8(ascii: "\\"), UInt8(ascii: "]"):
            return false
        default: return true
        }
    }

    /// ASTRING-CHAR: ATOM-CHAR or resp-specials (`]`).
    static func isAStringChar(_ byte: UInt8) -> Bool { isAtomChar(byte) || byte == UInt8(ascii: "]") }

    /// list-char: ATOM-CHAR, list-wildcards, resp-specials.
    static func isListChar(_ byte: UInt8) -> Bool { isAStringChar(byte) || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*") }

    // MARK: Tokens

    /// tag: 1*<any ASTRING-CHAR except "+">.
    mutating func tag() throws(Failure) -> String {
        let start = index
        while let byte = peek(), Self.isAStringChar(byte), byte != UInt8(ascii: "+") { index += 1 }
        guard index > start else { throw fail("missing or invalid tag") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// An atom, as sent.
    mutating func atom() throws(Failure) -> String {
        let start = index
        while let byte = peek(), Self.isAtomChar(byte) { index += 1 }
        guard index > start else { throw fail("expected an atom") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// An atom, uppercased.
    mutating func keyword() throws(Failure) -> String { try atom().uppercased() }

    /// number (RFC 9051: up to 4,294,967,295).
    mutating func number() throws(Failure) -> UInt32 {
        let value = try number64()
        guard value <= UInt64(UInt32.max) else { throw fail("number out of range") }
        return UInt32(value)
    }

    /// nz-number.
    mutating func nonZeroNumber() throws(Failure) -> UInt32 {
        let value = try number()
        guard value > 0 else { throw fail("zero is not allowed here") }
        return value
    }

    /// number64 / mod-sequence-value (RFC 9051, RFC 7162: up to 2^63 - 1).
    mutating func number64() throws(Failure) -> UInt64 {
        let start = index
        var value: UInt64 = 0
        while let byte = peek(), (0x30...0x39).contains(byte) {
            guard index - start < 19 else { throw fail("number out of range") }
            value = value * 10 + UInt64(byte - 0x30)
            index += 1
        }
        guard index > start else { throw fail("expected a number") }
        guard value <= UInt64(Int64.max) else { throw fail("number out of range") }
        return value
    }

    /// string: quoted or literal; literal8 only when `binary` is allowed. Returns the bytes
    /// and whether they came as literal8.
    mutating func string(allowingBinary: Bool = false) throws(Failure) -> (bytes: [UInt8], isBinary: Bool) {
        if consume(UInt8(ascii: "\"")) { return (try quotedRest(), false) }
        if peek() == UInt8(ascii: "~") {
            guard allowingBinary else { throw fail("literal8 is not allowed here") }
            index += 1
            return (try literal(binary: true), true)
        }
        if peek() == UInt8(ascii: "{") { return (try literal(binary: false), false) }
        throw fail("expected a string")
    }

    /// The rest of a quoted string after its opening quote.
    mutating func quotedRest() throws(Failure) -> [UInt8] {
        var value: [UInt8] = []
        while index < end {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return value
            case UInt8(ascii: "\\"):
                guard index < end, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") else {
                    throw fail("invalid escape in a quoted string")
                }
                value.append(bytes[index])
                index += 1
            case 0x00, 0x0a, 0x0d:
                throw fail("NUL, CR or LF in a quoted string")
            default:
                value.append(byte)
            }
        }
        throw fail("unterminated quoted string")
    }

    /// `{n}` / `{n+}` / `{n-}` CRLF and n octets (the `~` of literal8 already read).
    mutating func literal(binary: Bool) throws(Failure) -> [UInt8] {
        try expect(UInt8(ascii: "{"))
        let size = try number64()
        if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
        try expect(UInt8(ascii: "}"))
        // The framer only ends a line at LF; a literal's announcement ends one.
        _ = consume(0x0d)
        guard index < bytes.count, bytes[index] == 0x0a else { throw fail("a literal must end its line") }
        index += 1
        guard size <= UInt64(bytes.count - index), Int(size) + index <= end else { throw fail("truncated literal") }
        let value = Array(bytes[index..<(index + Int(size))])
        index += Int(size)
        if !binary, value.contains(0) { throw fail("NUL in a literal (use literal8)") }
        return value
    }

    /// astring: 1*ASTRING-CHAR or string.
    mutating func astring() throws(Failure) -> [UInt8] {
        if peek() == UInt8(ascii: "\"") || peek() == UInt8(ascii: "{") { return try string().bytes }
        let start = index
        while let byte = peek(), Self.isAStringChar(byte) { index += 1 }
        guard index > start else { throw fail("expected an atom or a string") }
        return Array(bytes[start..<index])
    }

    /// nstring: NIL or string.
    mutating func nstring() throws(Failure) -> [UInt8]? {
        if consumeKeyword("NIL") { return nil }
        return try string().bytes
    }

    /// `bytes` as UTF-8 text, strictly.
    func text(_ value: [UInt8], _ what: String) throws(Failure) -> String {
        guard let text = String(validating: value, as: UTF8.self) else { throw fail("\(what) is not valid UTF-8") }
        return text
    }

    /// An astring as UTF-8 text.
    mutating func astringText(_ what: String) throws(Failure) -> String { try text(try astring(), what) }

    /// mailbox: astring decoded as a mailbox name.
    mutating func mailbox() throws(Failure) -> String { try mailboxName(try astring()) }

    /// list-mailbox: 1*list-char or string, decoded as a mailbox name pattern.
    mutating func listMailbox() throws(Failure) -> String {
        if peek() == UInt8(ascii: "\"") || peek() == UInt8(ascii: "{") { return try mailboxName(try string().bytes) }
        let start = index
        while let byte = peek(), Self.isListChar(byte) { index += 1 }
        guard index > start else { throw fail("expected a mailbox pattern") }
        return try mailboxName(Array(bytes[start..<index]))
    }

    /// A name that does not decode is refused with NO, as Dovecot refuses it: the command
    /// is well formed, the name cannot exist.
    func mailboxName(_ raw: [UInt8]) throws(Failure) -> String {
        do {
            return try IMAPMailboxName.decode(raw, utf8: utf8MailboxNames)
        } catch {
            throw Failure(status: .no, code: .cannot, error: error)
        }
    }

    /// flag: `\` atom or a keyword atom.
    mutating func flag() throws(Failure) -> String {
        if consume(UInt8(ascii: "\\")) { return "\\" + (try atom()) }
        return try atom()
    }

    /// flag-list: "(" [flag *(SP flag)] ")".
    mutating func flagList() throws(Failure) -> [String] {
        try expect(UInt8(ascii: "("))
        var flags: [String] = []
        if consume(UInt8(ascii: ")")) { return flags }
        repeat {
            guard flags.count < configuration.maximumItems else { throw tooMany("flags") }
            flags.append(try flag())
        } while consume(0x20)
        try expect(UInt8(ascii: ")"))
        return flags
    }

    /// sequence-set or `$`.
    mutating func sequenceSet() throws(Failure) -> IMAPSequenceSet {
        if consume(UInt8(ascii: "$")) { return .savedResult }
        var ranges: [IMAPSequenceRange] = []
        repeat {
            guard ranges.count < configuration.maximumItems else { throw tooMany("sequence ranges") }
            let first = try sequenceBound()
            let second = consume(UInt8(ascii: ":")) ? try sequenceBound() : first
            ranges.append(IMAPSequenceRange(first, second))
        } while consume(UInt8(ascii: ","))
        return .ranges(ranges)
    }

    mutating func sequenceBound() throws(Failure) -> IMAPSequenceBound {
        if consume(UInt8(ascii: "*")) { return .last }
        return .number(try nonZeroNumber())
    }

    /// A parenthesised, space-separated list; `item` reads one element.
    mutating func parenthesized<T>(allowEmpty: Bool = true, _ item: (inout IMAPCommandReader) throws(Failure) -> T) throws(Failure) -> [T] {
        try expect(UInt8(ascii: "("))
        var items: [T] = []
        if consume(UInt8(ascii: ")")) {
            guard allowEmpty else { throw fail("an empty list is not allowed here") }
            return items
        }
        repeat {
            guard items.count < configuration.maximumItems else { throw tooMany("list items") }
            items.append(try item(&self))
        } while consume(0x20)
        try expect(UInt8(ascii: ")"))
        return items
    }

    // MARK: Dates

    /// date: date-text or DQUOTE date-text DQUOTE (`1-Feb-1994`).
    mutating func date() throws(Failure) -> IMAPDate {
        let quoted = consume(UInt8(ascii: "\""))
        let day = try digits(minimum: 1, maximum: 2)
        let date = try dateRest(day: day)
        if quoted { try expect(UInt8(ascii: "\"")) }
        return date
    }

    /// date-time: DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE.
    mutating func dateTime() throws(Failure) -> IMAPDateTime {
        try expect(UInt8(ascii: "\""))
        let day: Int
        if consume(0x20) { day = try digits(minimum: 1, maximum: 1) } else { day = try digits(minimum: 2, maximum: 2) }
        let date = try dateRest(day: day)
        try space()
        let hour = try digits(minimum: 2, maximum: 2)
        try expect(UInt8(ascii: ":"))
        let minute = try digits(minimum: 2, maximum: 2)
        try expect(UInt8(ascii: ":"))
        let second = try digits(minimum: 2, maximum: 2)
        try space()
        let sign: Int
        if consume(UInt8(ascii: "+")) { sign = 1 } else if consume(UInt8(ascii: "-")) { sign = -1 } else { throw fail("expected a zone") }
        let zone = try digits(minimum: 4, maximum: 4)
        try expect(UInt8(ascii: "\""))
        guard hour < 24, minute < 60, second <= 60, zone % 100 < 60, zone / 100 <= 14 else { throw fail("invalid time") }
        return IMAPDateTime(date: date, hour: hour, minute: minute, second: second, zoneMinutes: sign * (zone / 100 * 60 + zone % 100))
    }

    private mutating func dateRest(day: Int) throws(Failure) -> IMAPDate {
        try expect(UInt8(ascii: "-"))
        guard index + 3 <= end else { throw fail("expected a month") }
        let name = String(decoding: bytes[index..<(index + 3)], as: UTF8.self).lowercased()
        guard let month = IMAPDate.monthNames.firstIndex(where: { $0.lowercased() == name }) else { throw fail("invalid month") }
        index += 3
        try expect(UInt8(ascii: "-"))
        let year = try digits(minimum: 4, maximum: 4)
        guard (1...31).contains(day) else { throw fail("invalid day") }
        return IMAPDate(year: year, month: month + 1, day: day)
    }

    private mutating func digits(minimum: Int, maximum: Int) throws(Failure) -> Int {
        let start = index
        var value = 0
        while index - start < maximum, let byte = peek(), (0x30...0x39).contains(byte) {
            value = value * 10 + Int(byte - 0x30)
            index += 1
        }
        guard index - start >= minimum else { throw fail("expected digits") }
        return value
    }
}
