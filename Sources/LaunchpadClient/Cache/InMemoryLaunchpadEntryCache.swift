import Synchronization

/// A ``LaunchpadEntryCache`` in memory, holding at most ``capacity`` entries; the least
/// recently used goes first.
public final class InMemoryLaunchpadEntryCache: LaunchpadEntryCache {
    private struct State {
        var entries: [String: (entry: LaunchpadCachedEntry, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
        /// Every use, oldest first, from `head` on; a use that a later one of the same key
        /// superseded is stale and skipped. Finding the least recently used entry is then a
        /// walk from the head, not a scan of every entry (amortised O(1) per store).
        var uses: [(key: String, stamp: UInt64)] = []
        var head = 0

        mutating func use(_ key: String, _ entry: LaunchpadCachedEntry) {
            clock += 1
            entries[key] = (entry, clock)
            uses.append((key, clock))
            // Stale uses pile up with hits; rebuilding the log from the entries keeps it
            // within a few times their number.
            if uses.count - head > 2 * entries.count + 64 {
                uses = entries.map { ($0.key, $0.value.lastUse) }.sorted { $0.stamp < $1.stamp }
                head = 0
            }
        }

        mutating func evictLeastRecentlyUsed() {
            while head < uses.count {
                let oldest = uses[head]
                head += 1
                if entries[oldest.key]?.lastUse == oldest.stamp {
                    entries.removeValue(forKey: oldest.key)
                    break
                }
            }
        }
    }

    /// The most entries kept.
    public let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` entries. Default: 1,000.
    public init(capacity: Int = 1000) {
        self.capacity = max(1, capacity)
    }

    /// The entry for `key`, marking it used.
    public func entry(for key: String) async -> LaunchpadCachedEntry? {
        state.withLock { state in
            guard let found = state.entries[key] else { return nil }
            state.use(key, found.entry)
            return found.entry
        }
    }

    /// Stores the entry, evicting the least recently used when full.
    public func store(_ entry: LaunchpadCachedEntry, for key: String) async {
        let capacity = self.capacity
        state.withLock { state in
            state.use(key, entry)
            if state.entries.count > capacity { state.evictLeastRecentlyUsed() }
        }
    }

    /// How many entries are held.
    public var count: Int { state.withLock { $0.entries.count } }
}
