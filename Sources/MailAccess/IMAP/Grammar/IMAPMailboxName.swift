/// Mailbox names on the wire: modified UTF-7 (RFC 3501 section 5.1.3) for IMAP4rev1
/// clients, UTF-8 (RFC 9051, RFC 6855) once a client enabled IMAP4rev2 or UTF8=ACCEPT.
///
/// Decoding is strict: a name that is not the canonical encoding of some Unicode text is a
/// ``MailAccessError/protocolViolation``, so two byte strings never name one mailbox.
/// `INBOX` is case-insensitive and always comes back as `INBOX`.
public enum IMAPMailboxName {
    /// The mailbox name `raw` stands for.
    ///
    /// - Throws: ``MailAccessError/protocolViolation`` for invalid UTF-8 or invalid
    ///   modified UTF-7 (8-bit bytes, a shift without its `-`, bad base64, broken
    ///   surrogates, an encoded printable character), and for NUL or other controls.
    public static func decode(_ raw: [UInt8], utf8: Bool) throws(MailAccessError) -> String {
        if raw.contains(where: { $0 < 0x20 || $0 == 0x7f }) {
            throw MailAccessError.protocolViolation.with(message: "a mailbox name holds a control character")
        }
        let name: String
        if utf8 {
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw MailAccessError.protocolViolation.with(message: "a mailbox name is not valid UTF-8")
            }
            name = text
        } else {
            name = try decodeModifiedUTF7(raw)
        }
        return name.uppercased() == "INBOX" ? "INBOX" : name
    }

    /// `name` as the client reads it: UTF-8 bytes, or modified UTF-7.
    public static func encode(_ name: String, utf8: Bool) -> [UInt8] {
        utf8 ? Array(name.utf8) : encodeModifiedUTF7(name)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(value) }
        return table
    }()

    /// RFC 3501 section 5.1.3: printable ASCII stands for itself (`&` as `&-`); anything
    /// else is UTF-16BE in base64 with `,` for `/`, between `&` and `-`.
    public static func encodeModifiedUTF7(_ name: String) -> [UInt8] {
        var output: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xff)] }
            output.append(UInt8(ascii: "&"))
            var index = 0
            while index < bytes.count {
                let chunk = bytes[index..<min(index + 3, bytes.count)]
                let b0 = Int(chunk[chunk.startIndex])
                let b1 = chunk.count > 1 ? Int(chunk[chunk.startIndex + 1]) : 0
                let b2 = chunk.count > 2 ? Int(chunk[chunk.startIndex + 2]) : 0
                output.append(alphabet[b0 >> 2])
                output.append(alphabet[((b0 & 3) << 4) | (b1 >> 4)])
                if chunk.count > 1 { output.append(alphabet[((b1 & 15) << 2) | (b2 >> 6)]) }
                if chunk.count > 2 { output.append(alphabet[b2 & 63]) }
                index += 3
            }
            output.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7e {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return output
    }

    /// The text of a modified UTF-7 name, strictly.
    public static func decodeModifiedUTF7(_ raw: [UInt8]) throws(MailAccessError) -> String {
        func invalid(_ why: String) -> MailAccessError {
            MailAccessError.protocolViolation.with(message: "a mailbox name is not valid modified UTF-7: \(why)")
        }
        var result = String.UnicodeScalarView()
        var index = 0
        // Where the last encoded run ended: a run right after another is not canonical
        // (the encoder would have made one run), so two spellings of a name cannot exist.
        var encodedRunEnd = -1
        while index < raw.count {
            let byte = raw[index]
            guard byte >= 0x20 && byte <= 0x7e else { throw invalid("8-bit byte") }
            index += 1
            guard byte == UInt8(ascii: "&") else {
                result.append(Unicode.Scalar(byte))
                continue
            }
            guard let dash = raw[index...].firstIndex(of: UInt8(ascii: "-")) else { throw invalid("a shift without its end") }
            let encoded = raw[index..<dash]
            index = dash + 1
            if encoded.isEmpty {
                result.append("&")
                continue
            }
            guard encodedRunEnd != encoded.startIndex - 1 else { throw invalid("two encoded runs in a row") }
            encodedRunEnd = index
            var bits = 0
            var bitCount = 0
            var bytes: [UInt8] = []
            for character in encoded {
                guard character < 128, values[Int(character)] >= 0 else { throw invalid("a byte outside base64") }
                bits = (bits << 6) | Int(values[Int(character)])
                bitCount += 6
                if bitCount >= 8 {
                    bitCount -= 8
                    bytes.append(UInt8((bits >> bitCount) & 0xff))
                }
            }
            // Leftover bits must be fewer than 6 and zero; the bytes whole UTF-16 units.
            guard bitCount < 6, bits & ((1 << bitCount) - 1) == 0, bytes.count % 2 == 0 else { throw invalid("bad padding") }
            var units: [UInt16] = []
            for pair in stride(from: 0, to: bytes.count, by: 2) { units.append(UInt16(bytes[pair]) << 8 | UInt16(bytes[pair + 1])) }
            var iterator = units.makeIterator()
            var decoder = UTF16()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    guard scalar.value >= 0x80 else { throw invalid("an encoded ASCII character") }
                    result.append(scalar)
                case .emptyInput: break loop
                case .error: throw invalid("a broken surrogate pair")
                }
            }
        }
        return String(result)
    }
}
