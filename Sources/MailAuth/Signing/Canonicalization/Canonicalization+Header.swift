extension Canonicalization {
    /// Appends the canonical form of one header field, given as its raw bytes (name, colon,
    /// value with folding, line ending), to `output`, ending with CRLF (RFC 6376 §3.4.1,
    /// §3.4.2).
    ///
    /// Line endings: a bare LF counts as CRLF, as in dkimpy and as an MTA writes the message
    /// on the wire; a bare CR is an ordinary byte. A field that ends without a line ending
    /// gets one.
    func appendCanonicalHeader(_ raw: ArraySlice<UInt8>, to output: inout [UInt8]) {
        switch self {
        case .simple: Self.appendSimpleHeader(raw, to: &output)
        case .relaxed: Self.appendRelaxedHeader(raw, to: &output)
        }
    }

    /// The canonical form of one header field (see ``appendCanonicalHeader(_:to:)``).
    func canonicalHeader(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count + 2)
        appendCanonicalHeader(raw, to: &output)
        return output
    }

    private static func appendSimpleHeader(_ raw: ArraySlice<UInt8>, to output: inout [UInt8]) {
        var lineStart = raw.startIndex
        var index = raw.startIndex
        while index < raw.endIndex {
            if raw[index] == 0x0a {
                var contentEnd = index
                if contentEnd > lineStart, raw[contentEnd - 1] == 0x0d { contentEnd -= 1 }
                output.append(contentsOf: raw[lineStart..<contentEnd])
                output.append(0x0d)
                output.append(0x0a)
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < raw.endIndex {
            output.append(contentsOf: raw[lineStart...])
            output.append(0x0d)
            output.append(0x0a)
        }
    }

    private static func appendRelaxedHeader(_ raw: ArraySlice<UInt8>, to output: inout [UInt8]) {
        let colon = raw.firstIndex(of: UInt8(ascii: ":")) ?? raw.endIndex
        // The name, lowercased, without whitespace before the colon.
        var nameEnd = colon
        while nameEnd > raw.startIndex, isLooseWhitespace(raw[nameEnd - 1]) { nameEnd -= 1 }
        for byte in raw[raw.startIndex..<nameEnd] {
            output.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
        output.append(UInt8(ascii: ":"))
        guard colon < raw.endIndex else {
            output.append(0x0d)
            output.append(0x0a)
            return
        }
        // The value: unfolded (each LF and a CR just before it removed), whitespace runs
        // made one space, then whitespace at both ends removed.
        let valueStart = output.count
        var pendingSpace = false
        var index = colon + 1
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == 0x0a {
                index += 1
                continue
            }
            if byte == 0x0d, index + 1 < raw.endIndex, raw[index + 1] == 0x0a {
                index += 1
                continue
            }
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = true
            } else {
                if pendingSpace, output.count > valueStart { output.append(0x20) }
                pendingSpace = false
                output.append(byte)
            }
            index += 1
        }
        // A trailing bare CR or form feed would survive dkimpy's strip() no more than here.
        while output.count > valueStart, isLooseWhitespace(output[output.count - 1]) { output.removeLast() }
        output.append(0x0d)
        output.append(0x0a)
    }

    /// Whitespace as Python's `bytes.strip()` sees it (SP, HTAB, LF, VT, FF, CR): what
    /// dkimpy removes around a relaxed value.
    private static func isLooseWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0d) }
}
