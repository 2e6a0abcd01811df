/// Content-Transfer-Encoding and RFC 2047 byte decoders, lenient: bad input degrades to
/// something readable instead of failing, because an index must never reject a message.
package enum TransferDecoding {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (index, byte) in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8).enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Base64, skipping characters outside the alphabet and stopping at `=`.
    package static func base64(_ input: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            if byte == UInt8(ascii: "=") { break }
            let value = base64Values[Int(byte)]
            if value == 0xff { continue }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Quoted-printable (RFC 2045); with `underscoreIsSpace`, the RFC 2047 "Q" form.
    /// Soft line breaks are removed; a bad escape is kept as it is. One pass over the input
    /// into an output allocated once (search decodes every text part it looks at).
    package static func quotedPrintable(_ input: some Collection<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        let decode = { (bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] in
            let count = bytes.count
            return [UInt8](unsafeUninitializedCapacity: count) { output, written in
                var index = 0
                var out = 0
                while index < count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "=") {
                        if index + 1 < count, bytes[index + 1] == UInt8(ascii: "\n") {
                            index += 2
                            continue
                        }
                        if index + 2 < count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                            index += 3
                            continue
                        }
                        if index + 2 < count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                            output[out] = high << 4 | low
                            out += 1
                            index += 3
                            continue
                        }
                        output[out] = byte
                    } else if underscoreIsSpace && byte == UInt8(ascii: "_") {
                        output[out] = UInt8(ascii: " ")
                    } else {
                        output[out] = byte
                    }
                    out += 1
                    index += 1
                }
                written = out
            }
        }
        if let result = input.withContiguousStorageIfAvailable(decode) { return result }
        return Array(input).withUnsafeBufferPointer(decode)
    }
}
