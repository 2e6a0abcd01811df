extension SRSRewriter {
    /// `address` split at its one `@`, after the checks every address gets.
    /// - Parameter refusingUnsupported: whether quoted local parts and domain literals are
    ///   refused (forwarding) or left for the caller to find not to be SRS (reversal).
    static func split(_ address: String, refusingUnsupported: Bool = true) throws(SRSError) -> (
        local: ArraySlice<UInt8>, host: ArraySlice<UInt8>
    ) {
        // Counted before copying: a hostile megabyte is refused without being copied.
        guard address.utf8.count <= maximumAddressLength else {
            throw .malformedAddress.with(message: "the address is longer than \(maximumAddressLength) bytes")
        }
        let bytes = Array(address.utf8)[...]
        if refusingUnsupported, bytes.first == UInt8(ascii: "\"") {
            throw .unsupportedAddress.with(message: "SRS cannot carry a quoted local part")
        }
        // Spaces, controls and DEL never belong in an envelope address outside quotes, and
        // quotes are refused: one such byte would let a peer's line protocol be smuggled.
        guard !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .malformedAddress.with(message: "the address contains a space or a control character")
        }
        // Angle brackets and backslashes belong to the path's syntax or to quoted strings,
        // never to the bare address: a caller passed `<a@b>` or a half-parsed path.
        guard !bytes.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\\") }) else {
            throw .malformedAddress.with(message: "the address contains an angle bracket or a backslash")
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else {
            throw .malformedAddress.with(message: "the address has no @")
        }
        guard bytes.firstIndex(of: UInt8(ascii: "@")) == at else {
            throw .malformedAddress.with(message: "the address has more than one @")
        }
        let local = bytes[..<at]
        let host = bytes[(at + 1)...]
        guard !local.isEmpty, !host.isEmpty else {
            throw .malformedAddress.with(message: "the address has an empty local part or domain")
        }
        if refusingUnsupported, host.first == UInt8(ascii: "[") {
            throw .unsupportedAddress.with(message: "SRS cannot carry a domain literal")
        }
        // `=` separates the SRS fields: a domain holding one could not be read back.
        guard isPlainDomain(host) else {
            throw .malformedAddress.with(message: "the domain is not a plain domain name")
        }
        return (local, host)
    }

    /// A non-empty domain without `@`, `=`, RFC 5322 specials, quotes, spaces or controls
    /// (UTF-8 labels pass: SMTPUTF8 senders have them).
    static func isPlainDomain<Bytes: Collection<UInt8>>(_ host: Bytes) -> Bool {
        !host.isEmpty && !host.contains(where: { byte in byte <= 0x20 || byte == 0x7F || forbiddenInDomain.contains(byte) })
    }

    /// `=` (the SRS field separator) and RFC 5322's specials other than the dot.
    private static let forbiddenInDomain: Set<UInt8> = Set("=@[]\"()<>,;:\\".utf8)

    /// True when `local` starts with `tag` (lower-case, compared without regard to ASCII
    /// case) followed by one of the separators `=`, `+`, `-`, as every SRS peer tests.
    static func hasTag(_ local: ArraySlice<UInt8>, _ tag: String) -> Bool {
        let tagBytes = Array(tag.utf8)
        guard local.count > tagBytes.count else { return false }
        for (offset, expected) in tagBytes.enumerated() where lowercased(local[local.startIndex + offset]) != expected {
            return false
        }
        let separator = local[local.startIndex + tagBytes.count]
        return separator == UInt8(ascii: "=") || separator == UInt8(ascii: "+") || separator == UInt8(ascii: "-")
    }

    /// `bytes` cut at the first `count - 1` separators; the last field keeps any further
    /// separators (a local part may contain `=`).
    static func fields(_ bytes: ArraySlice<UInt8>, count: Int, separator: UInt8) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var rest = bytes
        while fields.count < count - 1, let end = rest.firstIndex(of: separator) {
            fields.append(rest[..<end])
            rest = rest[(end + 1)...]
        }
        fields.append(rest)
        return fields
    }

    /// `byte` with ASCII capitals lowered; every other byte (UTF-8 included) as it is.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// `bytes` with ASCII capitals lowered.
    static func lowercased<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] { bytes.map { lowercased($0) } }
}
