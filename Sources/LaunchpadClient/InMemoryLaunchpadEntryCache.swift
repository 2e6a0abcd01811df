import Synchronization

/// A ``LaunchpadEntryCache`` in memory, holding at most ``capacity`` entries; the least
/// recently used goes first.
public final class InMemoryLaunchpadEntryCache: LaunchpadEntryCache {
    private struct State {
        var entries: [String: (entry: LaunchpadCachedEntry, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
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
            state.clock += 1
            state.entries[key] = (found.entry, state.clock)
            return found.entry
        }
    }

    /// Stores the entry, evicting the least recently used when full.
    public func store(_ entry: LaunchpadCachedEntry, for key: String) async {
        let capacity = self.capacity
        state.withLock { state in
            state.clock += 1
            state.entries[key] = (entry, state.clock)
            if state.entries.count > capacity,
               let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries.removeValue(forKey: oldest)
            }
        }
    }

    /// How many entries are held.
    public var count: Int { state.withLock { $0.entries.count } }
}
