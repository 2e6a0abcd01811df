extension Mailbox {
    /// The folders an IMAP LIST with `reference` and `pattern` names (RFC 3501 6.3.8):
    /// `*` matches any characters, `%` any characters but the delimiter; the reference is
    /// prefixed to the pattern; a leading `INBOX` matches case-insensitively. Sorted as
    /// ``folders()``.
    public func folders(matching pattern: String, reference: String = "") async throws -> [FolderStatus] {
        var full = Array(reference + pattern)
        // INBOX is case-insensitive as a whole first level (`inbox`, `inbox/%`), not as a prefix.
        if full.count >= 5, String(full.prefix(5)).uppercased() == "INBOX", full.count == 5 || full[5] == Self.delimiter {
            full = Array("INBOX") + full.dropFirst(5)
        }
        let compiled = full
        return try await folders().filter { Self.listMatches(compiled, Array($0.name)[...]) }
    }

    /// Whether `name` matches the LIST pattern. Dynamic programming over (pattern, name)
    /// positions, one row at a time: time grows with their product, never exponentially,
    /// whatever wildcards a client sends.
    static func listMatches(_ pattern: [Character], _ name: ArraySlice<Character>) -> Bool {
        let characters = Array(name)
        let count = characters.count
        // next[j]: the pattern after position i matches characters[j...].
        var next = [Bool](repeating: false, count: count + 1)
        next[count] = true
        for symbol in pattern.reversed() {
            var current = [Bool](repeating: false, count: count + 1)
            for j in stride(from: count, through: 0, by: -1) {
                switch symbol {
                case "*":
                    current[j] = next[j] || (j < count && current[j + 1])
                case "%":
                    current[j] = next[j] || (j < count && characters[j] != delimiter && current[j + 1])
                default:
                    current[j] = j < count && characters[j] == symbol && next[j + 1]
                }
            }
            next = current
        }
        return next[0]
    }
}
