import Foundation
import LaunchpadClient
import Testing

/// The in-memory entry cache keeps the most recently used entries up to its capacity.
struct LaunchpadEntryCacheTests {
    static func entry(_ tag: String) -> LaunchpadCachedEntry { LaunchpadCachedEntry(etag: tag, body: Data(tag.utf8)) }

    @Test func theLeastRecentlyUsedEntryGoesFirst() async {
        let cache = InMemoryLaunchpadEntryCache(capacity: 3)
        for key in ["a", "b", "c"] { await cache.store(Self.entry(key), for: key) }
        #expect(await cache.entry(for: "a") == Self.entry("a"))  // b is now the oldest
        await cache.store(Self.entry("d"), for: "d")
        #expect(cache.count == 3)
        #expect(await cache.entry(for: "b") == nil)
        await cache.store(Self.entry("c2"), for: "c")  // replacing counts as a use
        await cache.store(Self.entry("e"), for: "e")  // a is now the oldest
        #expect(await cache.entry(for: "a") == nil)
        #expect(await cache.entry(for: "c") == Self.entry("c2"))
        #expect(await cache.entry(for: "d") == Self.entry("d"))
        #expect(await cache.entry(for: "e") == Self.entry("e"))
    }

    @Test func manyUsesKeepExactOrder() async {
        let cache = InMemoryLaunchpadEntryCache(capacity: 10)
        for index in 0..<10 { await cache.store(Self.entry("\(index)"), for: "\(index)") }
        // Thousands of hits on all but entry 3, so the use log is rebuilt several times.
        for _ in 0..<500 {
            for index in 0..<10 where index != 3 { _ = await cache.entry(for: "\(index)") }
        }
        await cache.store(Self.entry("new"), for: "new")
        #expect(cache.count == 10)
        #expect(await cache.entry(for: "3") == nil)
        #expect(await cache.entry(for: "0") != nil)
    }
}
