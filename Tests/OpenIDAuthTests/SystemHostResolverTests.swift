import Foundation
@testable import OpenIDAuth
import Synchronization
import Testing

/// The system resolver's queue, deadline, cache and fully qualified names, through its
/// lookup seam (no DNS traffic: the seam stands for getaddrinfo).
@Suite struct SystemHostResolverTests {
    /// A stand-in for getaddrinfo that records names and blocks while `held` is set.
    final class Lookups: Sendable {
        let names = Mutex<[String]>([])
        let held = Atomic<Bool>(false)

        func lookUp(_ name: String) -> [String]? {
            names.withLock { $0.append(name) }
            while held.load(ordering: .acquiring) { usleep(5_000) }
            return name.hasPrefix("missing") ? nil : ["1.1.1.1"]
        }

        var all: [String] { names.withLock { $0 } }
    }

    func resolver(_ lookups: Lookups, concurrent: Int = 16, deadline: Duration = .seconds(10), cache: TimeInterval = 60)
        -> SystemHostResolver
    {
        var configuration = SystemHostResolver.Configuration()
        configuration.maximumConcurrentLookups = concurrent
        configuration.lookupDeadline = deadline
        configuration.cacheLifetime = cache
        return SystemHostResolver(configuration: configuration, lookUp: { lookups.lookUp($0) })
    }

    /// A lookup beyond the running limit waits for a slot instead of being refused.
    @Test func lookupsBeyondTheLimitWaitInsteadOfFailing() async throws {
        let lookups = Lookups()
        lookups.held.store(true, ordering: .releasing)
        // The deadline covers the wait for a slot: long, so that only the release decides.
        let resolver = resolver(lookups, concurrent: 1, deadline: .seconds(300), cache: 0)
        async let first = resolver.addresses(of: "one.example")
        async let second = resolver.addresses(of: "two.example")
        try await Task.sleep(for: .milliseconds(200))
        lookups.held.store(false, ordering: .releasing)
        #expect(try await first == ["1.1.1.1"])
        #expect(try await second == ["1.1.1.1"])
    }

    /// A lookup that never answers costs its caller the deadline, and the refusal says no more
    /// than any other name that does not resolve. Both calls return while the stand-in is
    /// still held (it is released only when the test ends), so only the deadline can have
    /// answered them: no wall-clock bound is asserted (a loaded machine decides those).
    @Test func aLookupThatNeverAnswersEndsAtTheDeadline() async throws {
        let lookups = Lookups()
        lookups.held.store(true, ordering: .releasing)
        defer { lookups.held.store(false, ordering: .releasing) }
        let resolver = resolver(lookups, concurrent: 1, deadline: .milliseconds(200))
        await #expect(throws: OpenIDError.refusedURL) { try await resolver.addresses(of: "stuck.example") }
        await #expect(throws: OpenIDError.refusedURL) { try await resolver.addresses(of: "queued.example") }
        let stillHeld = lookups.held.load(ordering: .acquiring)
        #expect(stillHeld)
        // The queued name never reached the lookup: its caller gave up while it waited.
        #expect(lookups.all == ["stuck.example."])
    }

    /// A positive answer is reused; a negative one is not cached. The lifetime is a day, not
    /// the default minute: the cache reads the wall clock, and in the full parallel run (the
    /// minute-long alias stress test included) a minute can pass between two awaits.
    @Test func positiveAnswersAreCachedBriefly() async throws {
        let lookups = Lookups()
        let resolver = resolver(lookups, cache: 86_400)
        _ = try await resolver.addresses(of: "op.example")
        _ = try await resolver.addresses(of: "OP.example")
        await #expect(throws: OpenIDError.refusedURL) { try await resolver.addresses(of: "missing.example") }
        await #expect(throws: OpenIDError.refusedURL) { try await resolver.addresses(of: "missing.example") }
        #expect(lookups.all == ["op.example.", "missing.example.", "missing.example."])
    }

    /// Names are looked up fully qualified, so the search list is never applied; a name that
    /// already ends in a dot keeps working.
    @Test func namesAreLookedUpFullyQualified() async throws {
        let lookups = Lookups()
        let resolver = resolver(lookups, cache: 0)
        _ = try await resolver.addresses(of: "intranet")
        _ = try await resolver.addresses(of: "op.example.")
        #expect(lookups.all == ["intranet.", "op.example."])
    }
}
