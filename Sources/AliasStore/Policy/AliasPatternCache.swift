import Synchronization

/// Compiled pattern aliases by source text, so resolution compiles each pattern once rather
/// than on every look-up. Compiling depends on the text alone, so an entry never goes stale;
/// a text that does not compile is remembered as such. Each store owns one.
final class AliasPatternCache: Sendable {
    /// Most entries kept; past it one entry makes room for the next, so a flood of new
    /// texts never empties the cache of the ones in use.
    static let capacity = 4_096

    private let entries = Mutex<[String: AliasPattern?]>([:])

    /// The compiled `source`, or nil when it does not compile.
    func pattern(_ source: String) -> AliasPattern? {
        if let known = entries.withLock({ $0[source] }) { return known }
        // A stored pattern was valid when written; a tighter length policy since then must
        // not make it unusable, which would silently skip it.
        let compiled = try? AliasPattern(source, maxLength: source.utf8.count)
        entries.withLock { entries in
            if entries[source] == nil, entries.count >= Self.capacity { entries.remove(at: entries.startIndex) }
            entries[source] = compiled
        }
        return compiled
    }

    /// How many texts are cached.
    var count: Int { entries.withLock { $0.count } }
}
