import CommunityMailSQL
import Synchronization

/// What each reader connection last learnt about domains (served? verified?) and alias
/// owners (banned?), kept only while the file has not changed: SQLite's `PRAGMA
/// data_version` on a connection changes whenever any other connection (this process's
/// writer, another process) commits. Resolution asks about the address's domain, each
/// recipient's domain and each alias's owner, so on the mail path this leaves one indexed
/// look-up per resolution: the alias itself. Each store owns one.
final class ResolutionCache: Sendable {
    /// Most domains, and most owners, remembered per connection; past it that part of the
    /// connection's entry starts over, so resolving made-up recipient domains cannot grow
    /// the cache without end.
    static let capacity = 10_000

    private struct Entry {
        var dataVersion: Int64
        /// nil: not served by the store; otherwise whether it is verified.
        var domains: [String: Bool?] = [:]
        /// Whether each owner looked at so far is banned.
        var bannedOwners: [String: Bool] = [:]
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The view for one read transaction on `connection`. Reads the data version inside the
    /// transaction, which takes its snapshot, so the cached answers match what it reads.
    func view(on connection: SQLiteConnection) throws(SQLiteError) -> View {
        let statement = try connection.prepare("PRAGMA data_version")
        defer { statement.reset() }
        let version = try statement.step() ? statement.value(at: 0).integerValue ?? -1 : -1
        let key = ObjectIdentifier(connection)
        entries.withLock { entries in
            if entries[key]?.dataVersion != version { entries[key] = Entry(dataVersion: version) }
        }
        return View(cache: self, key: key, dataVersion: version)
    }

    /// One transaction's window on the cache: it answers only from, and adds only to, the
    /// entry of the data version it was made for.
    struct View {
        fileprivate let cache: ResolutionCache
        fileprivate let key: ObjectIdentifier
        fileprivate let dataVersion: Int64

        /// `.none` when unknown; `.some(nil)` when the store does not serve the domain.
        func state(of domain: String) -> Bool?? {
            cache.withEntry(key, dataVersion) { $0.domains[domain] } ?? nil
        }

        func remember(_ state: Bool?, for domain: String) {
            cache.withEntry(key, dataVersion) { entry in
                if entry.domains.count >= ResolutionCache.capacity { entry.domains = [:] }
                entry.domains[domain] = .some(state)
            }
        }

        /// nil when unknown.
        func isBanned(owner: String) -> Bool? {
            cache.withEntry(key, dataVersion) { $0.bannedOwners[owner] } ?? nil
        }

        func remember(banned: Bool, owner: String) {
            cache.withEntry(key, dataVersion) { entry in
                if entry.bannedOwners.count >= ResolutionCache.capacity { entry.bannedOwners = [:] }
                entry.bannedOwners[owner] = banned
            }
        }
    }

    /// Runs `body` on the connection's entry when it is still for `dataVersion`.
    private func withEntry<T>(_ key: ObjectIdentifier, _ dataVersion: Int64, _ body: (inout Entry) -> T) -> T? {
        entries.withLock { entries in
            guard entries[key]?.dataVersion == dataVersion else { return nil }
            return body(&entries[key]!)
        }
    }
}
