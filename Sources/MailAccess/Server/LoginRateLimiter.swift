public import CommunityMailSystem
import Foundation
import Synchronization

/// Counts failed logins per client address and per login name, and refuses further
/// attempts from an address, or for a name, that failed too often lately. Addresses are
/// counted by ``ClientAddressGroup``: an IPv6 client by its /64, an IPv4-mapped IPv6
/// address as its IPv4 address.
///
/// Each counter covers ``Configuration/window``: failures older than that are forgotten.
/// A refused attempt is answered without asking the authenticator (no key derivation is
/// spent, nothing is learned). A successful login clears its name's counter (not its
/// address's: one right password does not excuse a thousand wrong ones for other names).
/// Memory is bounded: at most ``Configuration/maximumTrackedKeys`` counters; past that the
/// counters whose last failure is oldest are dropped first.
///
/// Names are kept only in memory, never logged. One limiter may serve POP3 and IMAP.
public final class LoginRateLimiter: Sendable {
    /// Limits on failed logins.
    public struct Configuration: Sendable {
        /// Failed logins allowed from one client address (one ``ClientAddressGroup``: an
        /// IPv6 /64) within ``window``. Default: 10.
        public var maximumFailuresPerAddress = 10
        /// Failed logins allowed for one login name (from anywhere) within ``window``.
        /// Default: 20 (higher than per address: a name under attack from many
        /// addresses is slowed, not its owner locked out for long).
        public var maximumFailuresPerLogin = 20
        /// How long a failure counts. Default: 15 minutes.
        public var window: Duration = .seconds(900)
        /// How long the answer to a failed login waits (slows guessing on one connection).
        /// Default: 2 s.
        public var failureDelay: Duration = .seconds(2)
        /// Whether loopback clients are exempt from the per-address limit (a local proxy
        /// or webmail would otherwise lock out everyone behind it). Default: false.
        public var exemptsLoopbackAddresses = false
        /// The most counters kept (addresses and names together). Default: 100,000.
        public var maximumTrackedKeys = 100_000

        /// The defaults.
        public init() {}
    }

    private enum Key: Hashable {
        case address(ClientAddressGroup)
        case login(String)
    }

    private struct Counter {
        /// Failure times, oldest first (at most the limit plus one are kept).
        var failures: [Date]
        var lastFailure: Date
    }

    /// The configuration.
    public let configuration: Configuration
    private let clock: any ServiceClock
    private let counters = Mutex<[Key: Counter]>([:])

    /// A limiter with `configuration`, reading time from `clock`.
    public init(configuration: Configuration = Configuration(), clock: any ServiceClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Whether a login for `login` from `client` may be tried now.
    public func allows(login: String, from client: InternetAddress?) -> Bool {
        let now = clock.now()
        return counters.withLock { counters in
            for (key, limit) in keys(login: login, client: client) {
                guard let counter = counters[key] else { continue }
                let recent = counter.failures.filter { now.timeIntervalSince($0) < configuration.window.timeInterval }
                if recent.count >= limit { return false }
            }
            return true
        }
    }

    /// Checks and counts an attempt in one step: nil when the limits refuse it; otherwise
    /// the attempt already counts as a failure until ``forgive(_:)`` takes it back (call it
    /// when the login succeeds or the check could not be made). Parallel connections
    /// therefore cannot each slip a guess past the limit while a slow check runs.
    public func reserveAttempt(login: String, from client: InternetAddress?) -> Reservation? {
        let now = clock.now()
        return counters.withLock { counters -> Reservation? in
            let keys = keys(login: login, client: client)
            for (key, limit) in keys {
                guard let counter = counters[key] else { continue }
                let recent = counter.failures.filter { now.timeIntervalSince($0) < configuration.window.timeInterval }
                if recent.count >= limit { return nil }
            }
            record(now, keys: keys, in: &counters)
            return Reservation(login: login, client: client, time: now)
        }
    }

    /// Takes back an attempt ``reserveAttempt(login:from:)`` counted: it did not fail.
    public func forgive(_ reservation: Reservation) {
        counters.withLock { counters in
            for (key, _) in keys(login: reservation.login, client: reservation.client) {
                guard var counter = counters[key], let index = counter.failures.lastIndex(of: reservation.time) else { continue }
                counter.failures.remove(at: index)
                counters[key] = counter
            }
        }
    }

    /// Counts a failed login.
    public func recordFailure(login: String, from client: InternetAddress?) {
        let now = clock.now()
        counters.withLock { counters in record(now, keys: keys(login: login, client: client), in: &counters) }
    }

    private func record(_ now: Date, keys: [(Key, Int)], in counters: inout [Key: Counter]) {
        for (key, limit) in keys {
            var counter = counters[key] ?? Counter(failures: [], lastFailure: now)
            counter.failures.removeAll { now.timeIntervalSince($0) >= configuration.window.timeInterval }
            counter.failures.append(now)
            if counter.failures.count > limit + 1 { counter.failures.removeFirst(counter.failures.count - limit - 1) }
            counter.lastFailure = now
            counters[key] = counter
        }
        if counters.count > configuration.maximumTrackedKeys { evict(&counters, now: now) }
    }

    /// A successful login: its name's failures are forgotten.
    public func recordSuccess(login: String) {
        counters.withLock { _ = $0.removeValue(forKey: .login(Self.normalized(login))) }
    }

    /// How many counters are kept now.
    public var trackedKeyCount: Int { counters.withLock { $0.count } }

    private func keys(login: String, client: InternetAddress?) -> [(Key, Int)] {
        var keys: [(Key, Int)] = [(.login(Self.normalized(login)), configuration.maximumFailuresPerLogin)]
        if let client, !(configuration.exemptsLoopbackAddresses && client.isLoopback) {
            keys.append((.address(ClientAddressGroup(client)), configuration.maximumFailuresPerAddress))
        }
        return keys
    }

    /// Names compare case-insensitively (as most login names do), and at most 255 bytes of
    /// one are kept.
    private static func normalized(_ login: String) -> String { String(login.lowercased().utf8.prefix(255)) ?? "" }

    /// Drops expired counters, then the oldest, down to three quarters of the bound.
    private func evict(_ counters: inout [Key: Counter], now: Date) {
        counters = counters.filter { now.timeIntervalSince($0.value.lastFailure) < configuration.window.timeInterval }
        let target = configuration.maximumTrackedKeys * 3 / 4
        guard counters.count > target else { return }
        let oldest = counters.sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(counters.count - target)
        for (key, _) in oldest { counters[key] = nil }
    }
}
