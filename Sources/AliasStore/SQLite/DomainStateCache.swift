import CommunityMailSQL
import Synchronization

/// What each reader connection last learnt about domains (served? verified?), kept only while
/// the file has not changed: SQLite's `PRAGMA data_version` on a connection changes whenever
/// any other connection (this process's writer, another process) commits. Resolution asks
/// about the address's domain and each recipient's, so on the mail path this saves one
/// look-up per domain per resolution. Each store owns one.
final class DomainStateCache: Sendable {
    /// Most domains remembered per connection; past it the connection's entries start over,
    /// so resolving made-up recipient domains cannot grow the cache without end.
    static let capacity = 10_000

    private struct Entry {
        var dataVersion: Int64
        /// nil: not served by the store; otherwise whether it is verified.
        var domains: [String: Bool?] = [:]
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The view for one read transaction on `connection`. Reads the data version inside the
    /// transaction, which takes its snapshot, so the cached answers match what it reads.
    func view(on connection: SQLiteConnection) throws(SQLiteError) -> View {
        let version = try connection.queryFirst("PRAGMA data_version")?[0].integerValue ?? -1
        let key = ObjectIdentifier(connection)
        entries.withLock { entries in
            if entries[key]?.dataVersion != version { entries[key] = Entry(dataVersion: version) }
        }
        return View(cache: self, key: key, dataVersion: version)
    }

    /// One transaction's window on the cache.
    struct View {
        fileprivate let cache: DomainStateCache
        fileprivate let key: ObjectIdentifier
        fileprivate let dataVersion: Int64

        /// The remembered state of `domain`: nil when unknown, `.some(nil)` when not served.
        func state(of domain: String) -> Bool?? {
            cache.entries.withLock { entries in
                guard let entry = entries[key], entry.dataVersion == dataVersion else { return nil }
                return entry.domains[domain]
            }
        }

        /// Remembers `state` for `domain`, as read in this transaction.
        func remember(_ state: Bool?, for domain: String) {
            cache.entries.withLock { entries in
                guard entries[key]?.dataVersion == dataVersion else { return }
                if entries[key]!.domains.count >= DomainStateCache.capacity { entries[key]!.domains = [:] }
                entries[key]!.domains[domain] = .some(state)
            }
        }
    }
}
