/// Writes responses in IMAP's grammar (RFC 9051 section 7, RFC 3501 for IMAP4rev1), with no
/// I/O. Strings take the lightest form their content allows: an atom where the grammar
/// takes an astring, a quoted string for 7-bit text without CR, LF, NUL, `"` or `\\`, a literal
/// otherwise (8-bit text is quoted only once UTF-8 is on, RFC 9051 / RFC 6855), and
/// literal8 (`~{n}`, RFC 3516) for BINARY data that holds NUL.
public struct IMAPResponseEncoder: Sendable {
    /// Whether the client enabled UTF-8 (IMAP4rev2 or UTF8=ACCEPT): mailbox names go out
    /// as UTF-8 and 8-bit text may be quoted. Otherwise names are modified UTF-7.
    public var utf8: Bool

    /// An encoder; `utf8` as the session's state says.
    public init(utf8: Bool = false) { self.utf8 = utf8 }

    /// The bytes of `response`, CRLF included.
    public func encode(_ response: IMAPResponse) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(response, into: &bytes)
        return bytes
    }

    /// Appends the bytes of `response`, CRLF included, to `bytes`: many responses go into
    /// one buffer without a buffer of their own each.
    public func encode(_ response: IMAPResponse, into bytes: inout [UInt8]) {
        var output = IMAPOutput(utf8: utf8)
        swap(&output.bytes, &bytes)
        defer { swap(&output.bytes, &bytes) }
        switch response {
        case .tagged(let tag, let status):
            output.raw(tag)
            output.space()
            output.statusResponse(status)
        case .untagged(let data):
            output.raw("* ")
            output.data(data)
        case .continuation(.text(let text)):
            output.raw("+ ")
            output.text(text)
        case .continuation(.challenge(let bytes)):
            output.raw("+ ")
            output.bytes += IMAPBase64.encode(bytes)
        }
        output.raw("\r\n")
    }
}

/// The byte buffer the encoder writes into, with one method per grammar rule.
struct IMAPOutput {
    var bytes: [UInt8] = []
    let utf8: Bool

    init(utf8: Bool) { self.utf8 = utf8 }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func space() { bytes.append(0x20) }

    /// A number's decimal digits, written straight into the buffer: a `UID FETCH 1:*` answer
    /// writes three per line, and no string is built for them.
    mutating func number<N: BinaryInteger>(_ value: N) {
        guard value != 0 else {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 {
            // Only unsigned values reach the wire; a negative one still prints as it reads.
            raw(String(value))
            return
        }
        var remaining = UInt64(truncatingIfNeeded: value)
        var digits = 0
        var scan = remaining
        while scan > 0 {
            digits += 1
            scan /= 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var index = start + digits
        while remaining > 0 {
            index -= 1
            bytes[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remaining % 10)
            remaining /= 10
        }
    }

    /// Human-readable text: CR, LF and NUL become spaces so a reply is always one line.
    mutating func text(_ text: String) {
        for byte in text.utf8 { bytes.append(byte == 0x0d || byte == 0x0a || byte == 0 ? 0x20 : byte) }
    }

    /// A string: quoted when it can be, else a literal.
    mutating func string(_ value: String) { string(Array(value.utf8)) }

    mutating func string(_ value: [UInt8]) {
        // `"` and `\` could be escaped, but Dovecot sends such strings as literals and
        // clients compare us with it; so do we.
        let needsLiteral =
            value.contains { $0 == 0 || $0 == 0x0d || $0 == 0x0a || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
            || (value.contains { $0 >= 0x80 } && !(utf8 && String(validating: value, as: UTF8.self) != nil))
        if needsLiteral {
            literal(value, binary: false)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        bytes += value
        bytes.append(UInt8(ascii: "\""))
    }

    /// `{n}` CRLF bytes, or `~{n}` for literal8.
    mutating func literal(_ value: [UInt8], binary: Bool) {
        raw(binary ? "~{\(value.count)}\r\n" : "{\(value.count)}\r\n")
        bytes += value
    }

    /// nstring: NIL or a string.
    mutating func nstring(_ value: String?) {
        if let value { string(value) } else { raw("NIL") }
    }

    mutating func nstring(_ value: [UInt8]?) {
        if let value { string(value) } else { raw("NIL") }
    }

    /// astring: an atom when every byte is an ASTRING-CHAR (and it is not NIL), else a string.
    mutating func astring(_ value: [UInt8]) {
        if !value.isEmpty, value.allSatisfy(IMAPCommandReader.isAStringChar), String(decoding: value, as: UTF8.self).uppercased() != "NIL" {
            bytes += value
        } else {
            string(value)
        }
    }

    /// A mailbox name, encoded for the client.
    mutating func mailbox(_ name: String) { astring(IMAPMailboxName.encode(name, utf8: utf8)) }

    /// `(a b c)` of raw atoms (flags, capabilities).
    mutating func atomList(_ atoms: [String]) {
        bytes.append(UInt8(ascii: "("))
        for (position, atom) in atoms.enumerated() {
            if position > 0 { space() }
            raw(atom)
        }
        bytes.append(UInt8(ascii: ")"))
    }

    mutating func sequenceSet(_ set: IMAPSequenceSet) {
        switch set {
        case .savedResult: raw("$")
        case .ranges(let ranges):
            for (position, range) in ranges.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                bound(range.first)
                if range.first != range.second {
                    bytes.append(UInt8(ascii: ":"))
                    bound(range.second)
                }
            }
        }
    }

    private mutating func bound(_ bound: IMAPSequenceBound) {
        switch bound {
        case .number(let value): number(value)
        case .last: raw("*")
        }
    }

    /// `"17-Jul-1996 02:44:25 -0700"`.
    mutating func dateTime(_ value: IMAPDateTime) {
        func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        let month = IMAPDate.monthNames[max(0, min(11, value.date.month - 1))]
        let zone = abs(value.zoneMinutes)
        let sign = value.zoneMinutes < 0 ? "-" : "+"
        let year = String(value.date.year)
        raw(
            "\"\(two(value.date.day))-\(month)-\(String(repeating: "0", count: max(0, 4 - year.count)) + year) "
                + "\(two(value.hour)):\(two(value.minute)):\(two(value.second)) \(sign)\(two(zone / 60))\(two(zone % 60))\"")
    }

    mutating func statusResponse(_ response: IMAPStatusResponse) {
        raw(response.status.rawValue)
        space()
        if let code = response.code {
            bytes.append(UInt8(ascii: "["))
            responseCode(code)
            raw("] ")
        }
        text(response.text.isEmpty ? "." : response.text)
    }
}
