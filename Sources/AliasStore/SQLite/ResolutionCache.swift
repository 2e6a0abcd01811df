import CommunityMailSQL
import Synchronization

/// What each reader connection last learnt about domains (served? verified?) and alias
/// owners (banned?), kept only while the file has not changed: SQLite's `PRAGMA
/// data_version` on a connection changes whenever any other connection (this process's
/// writer, another process) commits, and the store calls ``invalidate()`` after each of its
/// own commits, which `data_version` does not count when reader and writer are one
/// connection (an in-memory store). Resolution asks about the address's domain, each
/// recipient's domain and each alias's owner, so on the mail path this leaves one indexed
/// look-up per resolution: the alias itself. Each store owns one.
final class ResolutionCache: Sendable {
    /// Most domains, and most owners, remembered per connection; past it that part of the
    /// connection's entry starts over, so resolving made-up recipient domains cannot grow
    /// the cache without end.
    static let capacity = 10_000

    /// What an entry was made for: the connection's data version and the store's write
    /// generation at the start of the transaction that made it.
    fileprivate struct Stamp: Equatable {
        var dataVersion: Int64
        var generation: UInt64
    }

    private struct Entry {
        var stamp: Stamp
        /// nil: not served by the store; otherwise whether it is verified.
        var domains: [String: Bool?] = [:]
        /// Whether each owner looked at so far is banned; nil when there is no such user.
        var bannedOwners: [String: Bool?] = [:]
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    /// Bumped by ``invalidate()``.
    private let generation = Atomic<UInt64>(0)

    /// Forgets every answer: the store calls it once each of its writes has committed.
    func invalidate() {
        generation.add(1, ordering: .sequentiallyConsistent)
    }

    /// The view for one read transaction on `connection`. Reads the generation first, then
    /// the data version inside the transaction, which takes its snapshot: a write committed
    /// after the generation was read bumps it again, so answers this snapshot may have
    /// missed are never kept under the newer generation.
    func view(on connection: SQLiteConnection) throws(SQLiteError) -> View {
        let generation = generation.load(ordering: .sequentiallyConsistent)
        let statement = try connection.prepare("PRAGMA data_version")
        defer { statement.reset() }
        let version = try statement.step() ? statement.value(at: 0).integerValue ?? -1 : -1
        let stamp = Stamp(dataVersion: version, generation: generation)
        let key = ObjectIdentifier(connection)
        entries.withLock { entries in
            if entries[key]?.stamp != stamp { entries[key] = Entry(stamp: stamp) }
        }
        return View(cache: self, key: key, stamp: stamp)
    }

    /// One transaction's window on the cache: it answers only from, and adds only to, the
    /// entry of the data version and generation it was made for.
    struct View {
        fileprivate let cache: ResolutionCache
        fileprivate let key: ObjectIdentifier
        fileprivate let stamp: Stamp

        /// `.none` when unknown; `.some(nil)` when the store does not serve the domain.
        func state(of domain: String) -> Bool?? {
            cache.withEntry(key, stamp) { $0.domains[domain] } ?? nil
        }

        func remember(_ state: Bool?, for domain: String) {
            cache.withEntry(key, stamp) { entry in
                if entry.domains.count >= ResolutionCache.capacity { entry.domains = [:] }
                entry.domains[domain] = .some(state)
            }
        }

        /// `.none` when unknown; `.some(nil)` when there is no such user.
        func ownerState(_ owner: String) -> Bool?? {
            cache.withEntry(key, stamp) { $0.bannedOwners[owner] } ?? nil
        }

        func remember(banned: Bool?, owner: String) {
            cache.withEntry(key, stamp) { entry in
                if entry.bannedOwners.count >= ResolutionCache.capacity { entry.bannedOwners = [:] }
                entry.bannedOwners[owner] = .some(banned)
            }
        }
    }

    /// Runs `body` on the connection's entry when it is still for `stamp`.
    private func withEntry<T>(_ key: ObjectIdentifier, _ stamp: Stamp, _ body: (inout Entry) -> T) -> T? {
        entries.withLock { entries in
            guard entries[key]?.stamp == stamp else { return nil }
            return body(&entries[key]!)
        }
    }
}
