import Synchronization

/// A cache of lookup results that honours TTLs: answers live as long as their smallest
/// TTL, NODATA and NXDOMAIN as long as their SOA's negative TTL (RFC 2308). Transient
/// failures are never cached. Safe to share between resolvers and tasks.
public final class DNSCache: Sendable {
    /// Limits of the cache.
    public struct Configuration: Sendable {
        /// The most results kept; when full, expired ones are dropped first, then the
        /// oldest. Default: 10,000.
        public var maximumEntries = 10_000
        /// No result is kept longer than this many seconds, whatever its TTL. Default: 86,400.
        public var maximumTTL: UInt32 = 86_400
        /// The defaults above.
        public init() {}
    }

    private struct Entry {
        var result: DNSResult
        var stored: ContinuousClock.Instant
        var expires: ContinuousClock.Instant
    }

    private let configuration: Configuration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex<[DNSQuestion: Entry]>([:])

    /// A cache; `now` is the clock (tests pass one they move by hand).
    public init(configuration: Configuration = Configuration(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.configuration = configuration
        self.now = now
    }

    /// The number of results held, expired ones included until they are swept.
    public var count: Int { entries.withLock { $0.count } }

    /// Drops every result.
    public func removeAll() { entries.withLock { $0.removeAll() } }

    /// A cached result for `question`, its TTLs lowered by the time spent in the cache.
    public func lookup(_ question: DNSQuestion) -> DNSResult? {
        let instant = now()
        return entries.withLock { entries -> DNSResult? in
            guard let entry = entries[question] else { return nil }
            guard instant < entry.expires else {
                entries[question] = nil
                return nil
            }
            let elapsed = UInt32(clamping: (instant - entry.stored).components.seconds)
            var result = entry.result
            result.records = result.records.map { var record = $0; record.ttl -= min(record.ttl, elapsed); return record }
            result.aliases = result.aliases.map { var record = $0; record.ttl -= min(record.ttl, elapsed); return record }
            result.negativeTTL = result.negativeTTL.map { $0 - min($0, elapsed) }
            return result
        }
    }

    /// Keeps `result` for as long as its TTL allows; transient failures and zero TTLs are
    /// not kept.
    public func store(_ result: DNSResult) {
        let ttl: UInt32?
        switch result.status {
        case .answer: ttl = result.ttl
        case .noData, .nonExistentDomain: ttl = result.negativeTTL
        default: ttl = nil
        }
        guard let ttl, ttl > 0 else { return }
        let instant = now()
        let entry = Entry(result: result, stored: instant, expires: instant + .seconds(Int(min(ttl, configuration.maximumTTL))))
        entries.withLock { entries in
            if entries.count >= configuration.maximumEntries, entries[result.question] == nil {
                let expired = entries.filter { $0.value.expires <= instant }.map(\.key)
                for key in expired { entries[key] = nil }
                if entries.count >= configuration.maximumEntries,
                   let oldest = entries.min(by: { $0.value.stored < $1.value.stored })?.key {
                    entries[oldest] = nil
                }
            }
            entries[result.question] = entry
        }
    }
}
