@testable import AliasStore
import Testing

@Suite("The compiled-pattern cache")
struct AliasPatternCacheTests {
    @Test("A full cache makes room one entry at a time; it never empties itself")
    func evictsOneEntry() {
        let cache = AliasPatternCache()
        for index in 0..<AliasPatternCache.capacity { _ = cache.pattern("/^p\(index)-.*$/") }
        #expect(cache.count == AliasPatternCache.capacity)
        let extra = cache.pattern("/^extra-.*$/")
        #expect(extra != nil)
        #expect(cache.count == AliasPatternCache.capacity)
        _ = cache.pattern("/^extra-.*$/")
        #expect(cache.count == AliasPatternCache.capacity)
    }
}
