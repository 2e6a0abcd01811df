public import CommunityMailMessage

extension AuthenticationResults {
    /// The Authentication-Results fields in `header` that claim to come from
    /// `authservID` (compared case-insensitively, a trailing dot ignored): fields an
    /// inbound server with that authserv-id did not write on this message, so forged or
    /// stale, which RFC 8601 section 5 says it MUST remove (or rename) before adding its
    /// own. Fields whose authserv-id cannot be read are not ours and are left alone.
    public static func fieldsClaiming(_ authservID: String, in header: HeaderBlock) -> [HeaderField] {
        let ours = normalisedID(authservID)
        return header.fields.filter { field in
            guard field.lowercasedName == fieldName.lowercased() else { return false }
            guard let id = Self.authservID(ofValue: Array(field.rawValue)) else { return false }
            return normalisedID(id) == ours
        }
    }

    /// `message` without the Authentication-Results fields that claim `authservID`
    /// (``fieldsClaiming(_:in:)``); every other byte unchanged.
    public static func removingFieldsClaiming(_ authservID: String, from message: [UInt8]) -> [UInt8] {
        let header = HeaderBlock(message[...])
        let forged = fieldsClaiming(authservID, in: header)
        guard !forged.isEmpty else { return message }
        var output: [UInt8] = []
        output.reserveCapacity(message.count)
        var position = message.startIndex
        for field in forged {
            output.append(contentsOf: message[position..<field.rawBytes.startIndex])
            position = field.rawBytes.endIndex
        }
        output.append(contentsOf: message[position...])
        return output
    }

    private static func normalisedID(_ id: String) -> String {
        var text = id.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
