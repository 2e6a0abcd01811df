internal import CommunityMailMessage

/// Picks the header fields an `h=` list names and builds the bytes a DKIM or ARC signature
/// hashes for its header (RFC 6376 §5.4.2, §3.7).
enum SignedHeaders {
    /// The fields `names` select, in `names`' order: each occurrence of a name takes the
    /// next field of that name counting from the bottom of the header; a name with no field
    /// left selects nothing (nil: the null string, which is how signers "over-sign" to stop
    /// fields being added). Names compare case-insensitively.
    static func select(_ names: [String], from fields: [HeaderField]) -> [HeaderField?] {
        // An ordinary signature (a dozen names, a few dozen fields) is matched by scanning,
        // with no tables; hostile sizes get the tables, which keep it linear (the scan counts
        // earlier repeats of each name, so it is quadratic in the names).
        guard names.count > 64 || names.count * fields.count > 4096 else {
            let keys = names.map { $0.lowercased() }
            return keys.indices.map { position in
                let key = keys[position]
                var taken = 0
                for earlier in keys[..<position] where earlier == key { taken += 1 }
                var seen = 0
                for field in fields.reversed() where field.lowercasedName == key {
                    if seen == taken { return field }
                    seen += 1
                }
                return nil
            }
        }
        var positions: [String: [Int]] = [:]
        for (index, field) in fields.enumerated() { positions[field.lowercasedName, default: []].append(index) }
        var used: [String: Int] = [:]
        var selected: [HeaderField?] = []
        selected.reserveCapacity(names.count)
        for name in names {
            let key = name.lowercased()
            let taken = used[key, default: 0]
            used[key] = taken + 1
            if let indices = positions[key], taken < indices.count {
                selected.append(fields[indices[indices.count - 1 - taken]])
            } else {
                selected.append(nil)
            }
        }
        return selected
    }

    /// The bytes hashed for the header: each selected field canonicalized (absent ones
    /// contribute nothing), then the signature field itself canonicalized with its `b=`
    /// value emptied and without its final CRLF.
    /// - Parameters:
    ///   - selected: what ``select(_:from:)`` picked.
    ///   - signatureField: the raw bytes of the DKIM-Signature (or ARC-Seal,
    ///     ARC-Message-Signature) field, name and colon included.
    /// - Throws: ``MailAuthError/invalidRecord`` when the field's value is not a tag list or
    ///   has no `b=` tag.
    static func hashInput(
        selected: [HeaderField?], signatureField: ArraySlice<UInt8>, canonicalization: Canonicalization
    ) throws(MailAuthError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(selected.reduce(0) { $0 + ($1?.rawBytes.count ?? 0) } + signatureField.count + 64)
        for field in selected {
            guard let field else { continue }
            canonicalization.appendCanonicalHeader(field.rawBytes, to: &output)
        }
        try appendSignatureField(signatureField, canonicalization: canonicalization, to: &output)
        return output
    }

    /// Appends the signature field canonicalized, its `b=` value (with the whitespace and
    /// folding around it, RFC 6376 §3.7) removed, without the final CRLF.
    static func appendSignatureField(
        _ raw: ArraySlice<UInt8>, canonicalization: Canonicalization, to output: inout [UInt8]
    ) throws(MailAuthError) {
        let emptied = try withEmptiedSignature(raw)
        canonicalization.appendCanonicalHeader(emptied[...], to: &output)
        if output.count >= 2, output[output.count - 2] == 0x0d, output[output.count - 1] == 0x0a { output.removeLast(2) }
    }

    /// The field's raw bytes with everything between `b=`'s `=` and the `;` or line end
    /// after its value removed (the value and the whitespace around it). The final line
    /// ending stays.
    static func withEmptiedSignature(_ raw: ArraySlice<UInt8>) throws(MailAuthError) -> [UInt8] {
        guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else {
            throw .invalidRecord.with(message: "the signature field has no colon")
        }
        var valueEnd = raw.endIndex
        if valueEnd > colon + 1, raw[valueEnd - 1] == 0x0a { valueEnd -= 1 }
        if valueEnd > colon + 1, raw[valueEnd - 1] == 0x0d { valueEnd -= 1 }
        let value = raw[(colon + 1)..<valueEnd]
        let tags = try TagList(parsing: value)
        guard let signature = tags.tag("b") else { throw .invalidRecord.with(message: "the signature field has no b= tag") }
        // Remove up to the ';' that ends the tag, or up to the end of the value.
        var removeEnd = signature.valueRange.upperBound
        while removeEnd < valueEnd, TagList.isWhitespace(raw[removeEnd]) { removeEnd += 1 }
        var result: [UInt8] = []
        result.reserveCapacity(raw.count)
        result.append(contentsOf: raw[raw.startIndex..<signature.valueRange.lowerBound])
        result.append(contentsOf: raw[removeEnd...])
        return result
    }

    /// The `h=` names a signer writes: each of `wanted` (From is added when missing) as many
    /// times as `fields` has it, plus one more for each name in `overSigning` (RFC 6376
    /// §8.15: a field added later then breaks the signature; an absent one is signed as the
    /// null string once). Names are lowercased; a repeated name in `wanted` counts once.
    static func namesToSign(_ wanted: [String], overSigning: [String], in fields: [HeaderField]) -> [String] {
        var counts: [String: Int] = [:]
        for field in fields { counts[field.lowercasedName, default: 0] += 1 }
        var names: [String] = []
        var seen = Set<String>()
        let overSigned = Set(overSigning.map { $0.lowercased() })
        var wanted = wanted
        if !wanted.contains(where: { $0.lowercased() == "from" }) { wanted.insert("From", at: 0) }
        for name in wanted {
            let key = name.lowercased()
            guard seen.insert(key).inserted else { continue }
            let times = counts[key, default: 0] + (overSigned.contains(key) ? 1 : 0)
            names += Array(repeating: key, count: times)
        }
        return names
    }
}
