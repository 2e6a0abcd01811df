import Synchronization

/// Compiled pattern aliases by source text, so resolution compiles each pattern once rather
/// than on every look-up. Compiling depends on the text alone, so an entry never goes stale;
/// a text that does not compile is remembered as such. Each store owns one.
final class AliasPatternCache: Sendable {
    /// Most entries kept; past it the cache starts again empty (patterns are few per
    /// domain, so this is a bound on memory, not an eviction policy worth tuning).
    static let capacity = 4_096

    private let entries = Mutex<[String: AliasPattern?]>([:])

    /// The compiled `source`, or nil when it does not compile.
    func pattern(_ source: String) -> AliasPattern? {
        if let known = entries.withLock({ $0[source] }) { return known }
        // A stored pattern was valid when written; a tighter length policy since then must
        // not make it unusable, which would silently skip it.
        let compiled = try? AliasPattern(source, maxLength: source.utf8.count)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[source] = compiled
        }
        return compiled
    }
}
