public import CommunityMailSystem
import Foundation
import Synchronization

/// A cache of lookup results that honours TTLs: answers live as long as their smallest
/// TTL, NODATA and NXDOMAIN as long as their SOA's negative TTL (RFC 2308). Transient
/// failures are never cached. Safe to share between resolvers and tasks.
///
/// Ages are read from a ``CommunityMailSystem/ServiceClock`` (wall time), so a test moves
/// time with a `ManualClock`. A step of the wall clock cannot stretch an answer's life: an
/// entry stored "in the future" (the clock stepped back) counts as expired, and a step
/// forward only expires entries early, which costs a lookup, never a stale answer.
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
        var stored: Date
        var expires: Date
    }

    private let configuration: Configuration
    private let clock: any ServiceClock
    private let entries = Mutex<[DNSQuestion: Entry]>([:])

    /// A cache reading the time from `clock` (tests pass a `ManualClock`).
    /// - Parameter clock: the time source. Default: `SystemClock`.
    public init(configuration: Configuration = Configuration(), clock: any ServiceClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// The number of results held, expired ones included until they are swept.
    public var count: Int { entries.withLock { $0.count } }

    /// Drops every result.
    public func removeAll() { entries.withLock { $0.removeAll() } }

    /// A cached result for `question`, its TTLs lowered by the time spent in the cache.
    public func lookup(_ question: DNSQuestion) -> DNSResult? {
        let instant = clock.now()
        return entries.withLock { entries -> DNSResult? in
            guard let entry = entries[question] else { return nil }
            guard entry.stored <= instant, instant < entry.expires else {
                entries[question] = nil
                return nil
            }
            let elapsed = UInt32(clamping: Int64(instant.timeIntervalSince(entry.stored)))
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
        let instant = clock.now()
        let entry = Entry(
            result: result, stored: instant, expires: instant.addingTimeInterval(TimeInterval(min(ttl, configuration.maximumTTL))))
        entries.withLock { entries in
            if entries.count >= configuration.maximumEntries, entries[result.question] == nil {
                let expired = entries.filter { $0.value.expires <= instant || $0.value.stored > instant }.map(\.key)
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
