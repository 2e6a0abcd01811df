/// A LIST or LSUB pattern with its reference (RFC 9051 section 6.3.9): `*` matches any
/// characters, `%` any but the hierarchy delimiter; `INBOX` as the first level matches in
/// any case. Matching is dynamic programming over (pattern, name) positions: time grows
/// with their product, never exponentially, whatever wildcards a client sends. A run of
/// wildcards matches what its widest member matches, so runs are kept as one wildcard, and
/// a pattern with more literal characters than a name cannot match it: a 60 KiB pattern
/// costs no more than the name it is matched against.
struct IMAPListPattern: Sendable, Hashable {
    private let symbols: [Character]
    private let literalCount: Int
    private let delimiter: Character

    /// The pattern `reference + pattern`, the reference prefixed as RFC 3501 section 6.3.8 describes.
    init(reference: String, pattern: String, delimiter: Character = "/") {
        var full = Array(reference + pattern)
        if full.count >= 5, String(full.prefix(5)).uppercased() == "INBOX", full.count == 5 || full[5] == delimiter {
            full = Array("INBOX") + full.dropFirst(5)
        }
        var collapsed: [Character] = []
        for symbol in full {
            if symbol == "*" || symbol == "%", let last = collapsed.last, last == "*" || last == "%" {
                if symbol == "*" { collapsed[collapsed.count - 1] = "*" }
                continue
            }
            collapsed.append(symbol)
        }
        symbols = collapsed
        literalCount = collapsed.count { $0 != "*" && $0 != "%" }
        self.delimiter = delimiter
    }

    /// True for a pattern with `%`, which also lists hierarchy levels that are no mailbox.
    var hasLevelWildcard: Bool { symbols.contains("%") }

    /// Whether `name` (INBOX spelled in capitals) matches.
    func matches(_ name: String) -> Bool {
        let characters = Array(name)
        let count = characters.count
        guard literalCount <= count else { return false }
        var next = [Bool](repeating: false, count: count + 1)
        next[count] = true
        for symbol in symbols.reversed() {
            var current = [Bool](repeating: false, count: count + 1)
            for position in stride(from: count, through: 0, by: -1) {
                switch symbol {
                case "*":
                    current[position] = next[position] || (position < count && current[position + 1])
                case "%":
                    current[position] =
                        next[position] || (position < count && characters[position] != delimiter && current[position + 1])
                default:
                    current[position] = position < count && characters[position] == symbol && next[position + 1]
                }
            }
            next = current
        }
        return next[0]
    }
}
