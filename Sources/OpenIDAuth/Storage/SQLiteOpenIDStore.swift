import CommunityMailSQL
public import CommunityMailSystem
public import Foundation

/// Nonces, associations and the discovery cache in one SQLite file, so that they outlive the
/// process and can be shared by several processes of a host (SQLite's locking serialises
/// them). Conforms to ``NonceStore``, ``AssociationStore`` and ``DiscoveryCache``.
///
/// Associations and discovery results are bounded (``Configuration``), so a flood of sign-ins
/// with made-up identifiers cannot grow the file without end: associations are evicted least
/// recently used first (a provider chooses its association's expiry, so expiry must not
/// decide), discovery results by expiry (which this relying party sets). Nonces are bounded by time: they are dropped once outside the skew window.
///
/// The file is a `SQLiteDatabase`: its SQLite work runs on the blocking executor's threads,
/// one write at a time, never on Swift's cooperative pool.
public final class SQLiteOpenIDStore: NonceStore, AssociationStore, DiscoveryCache {
    /// Size limits.
    public struct Configuration: Sendable {
        /// The most associations kept. Default: 10,000.
        public var maximumAssociations: Int = 10_000
        /// The most discovery results kept. Default: 10,000.
        public var maximumDiscoveryEntries: Int = 10_000
        /// When commits reach the disk. Default: `.full` (every commit).
        public var synchronous: Synchronous = .full

        /// The defaults.
        public init() {}
    }

    /// How many rows each table holds.
    public struct EntryCounts: Sendable, Hashable {
        /// Remembered nonces.
        public var nonces: Int
        /// Associations, expired or not.
        public var associations: Int
        /// Discovery results, expired or not.
        public var discoveryEntries: Int
    }

    /// The size limits.
    public let configuration: Configuration
    private let database: SQLiteDatabase

    /// Opens (creating if needed) the store at `path` and brings its schema up to date, on
    /// the calling thread (a start-up step).
    /// - Throws: ``OpenIDError/store`` when the file cannot be opened or migrated (its
    ///   ``OpenIDError/cause`` says why).
    public init(path: String, configuration: Configuration = Configuration()) throws(OpenIDError) {
        self.configuration = configuration
        var options = SQLiteDatabase.Configuration(path: path)
        options.migrations = Self.migrations
        options.synchronous = configuration.synchronous
        options.readerCount = 2
        do {
            database = try SQLiteDatabase(configuration: options)
        } catch {
            throw OpenIDError.store.with(message: "cannot open the OpenID store at \(path): \(error.message)").with(cause: error)
        }
    }

    /// Closes the file: waits for the calls already running, closes every connection (the
    /// last checkpoints the write-ahead log into the file and removes it), so the file can be
    /// deleted, moved or reopened as soon as this returns. Calls made afterwards fail with
    /// ``OpenIDError/store`` whose cause is `SQLiteError.closed` (not transient). Closing again does nothing.
    public func close() async { await database.close() }

    private static let migrations: [SQLiteMigration] = [
        """
        CREATE TABLE openid_nonce (
            endpoint TEXT NOT NULL, nonce TEXT NOT NULL, expires_at REAL NOT NULL,
            PRIMARY KEY (endpoint, nonce)
        );
        CREATE INDEX openid_nonce_expiry ON openid_nonce (expires_at);
        CREATE TABLE openid_association (
            endpoint TEXT NOT NULL, handle TEXT NOT NULL, secret BLOB NOT NULL, type TEXT NOT NULL,
            issued_at REAL NOT NULL, expires_at REAL NOT NULL,
            PRIMARY KEY (endpoint, handle)
        );
        CREATE TABLE openid_discovery (
            identifier TEXT PRIMARY KEY, result TEXT NOT NULL, expires_at REAL NOT NULL
        );
        """,
        """
        CREATE INDEX openid_association_expiry ON openid_association (expires_at);
        CREATE INDEX openid_discovery_expiry ON openid_discovery (expires_at);
        """,
        // Eviction by recency of use, not by the expiry a provider chose.
        """
        ALTER TABLE openid_association ADD COLUMN last_use INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX openid_association_last_use ON openid_association (last_use);
        """,
    ]

    /// The next value of `last_use`: larger than every stored one.
    private static let nextUse = "(SELECT coalesce(max(last_use), 0) + 1 FROM openid_association)"

    /// Runs `body` in one write transaction (most look-ups here also write: a nonce is
    /// recorded as it is checked, an association's use is stamped).
    private func withConnection<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteError) -> T
    ) async throws(OpenIDError) -> T {
        do {
            return try await database.write { connection in try body(connection) }
        } catch {
            throw Self.storeError(what, error)
        }
    }

    /// Runs `body` in one read transaction on a reader.
    private func withReader<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteError) -> T
    ) async throws(OpenIDError) -> T {
        do {
            return try await database.read { connection in try body(connection) }
        } catch {
            throw Self.storeError(what, error)
        }
    }

    private static func storeError(_ what: String, _ error: any Error) -> OpenIDError {
        if let error = error as? SQLiteError {
            return OpenIDError.store.with(message: "cannot \(what): \(error.message)").with(cause: error)
        }
        if error is CancellationError { return OpenIDError.store.with(message: "cannot \(what): the request was cancelled") }
        return OpenIDError.store.with(message: "cannot \(what)")
    }

    // MARK: NonceStore

    /// Records the nonce; false when it was already there.
    public func consume(nonce: String, endpoint: String, expiresAt: Date) async throws(OpenIDError) -> Bool {
        try await withConnection("record a nonce") { db throws(SQLiteError) in
            try db.run(
                "INSERT OR IGNORE INTO openid_nonce (endpoint, nonce, expires_at) VALUES (?, ?, ?)",
                [endpoint, nonce, expiresAt.timeIntervalSince1970]) == 1
        }
    }

    /// Forgets nonces whose expiry is before `date`.
    public func removeExpiredNonces(before date: Date) async throws(OpenIDError) {
        _ = try await withConnection("remove expired nonces") { db throws(SQLiteError) in
            try db.run("DELETE FROM openid_nonce WHERE expires_at < ?", [date.timeIntervalSince1970])
        }
    }

    // MARK: AssociationStore

    /// Stores the association, replacing one with the same endpoint and handle.
    public func store(_ association: OpenIDAssociation) async throws(OpenIDError) {
        _ = try await withConnection("store an association") { db throws(SQLiteError) in
            try db.run(
                """
                INSERT OR REPLACE INTO openid_association (endpoint, handle, secret, type, issued_at, expires_at, last_use)
                VALUES (?, ?, ?, ?, ?, ?, \(Self.nextUse))
                """,
                [association.endpoint, association.handle, SQLiteValue.blob(association.secret), association.type.rawValue,
                 association.issuedAt.timeIntervalSince1970, association.expiresAt.timeIntervalSince1970])
            // Keep the rows used most recently (an index walk over at most the limit): the
            // provider chooses the expiry, so it must not decide what is kept.
            try db.run(
                """
                DELETE FROM openid_association WHERE rowid IN
                    (SELECT rowid FROM openid_association ORDER BY last_use DESC LIMIT -1 OFFSET ?)
                """, [self.configuration.maximumAssociations])
        }
    }

    /// The unexpired association with this handle (which counts as a use).
    public func association(endpoint: String, handle: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation? {
        let row = try await withConnection("read an association") { db throws(SQLiteError) in
            let row = try db.queryFirst(
                "SELECT * FROM openid_association WHERE endpoint = ? AND handle = ? AND expires_at > ?",
                [endpoint, handle, date.timeIntervalSince1970])
            if row != nil { try Self.touch(db, endpoint: endpoint, handle: handle) }
            return row
        }
        return try row.map(Self.association(from:))
    }

    /// The unexpired association for the endpoint that expires last (which counts as a use).
    public func newestAssociation(endpoint: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation? {
        let row = try await withConnection("read an association") { db throws(SQLiteError) in
            let row = try db.queryFirst(
                "SELECT * FROM openid_association WHERE endpoint = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1",
                [endpoint, date.timeIntervalSince1970])
            if let handle = row?["handle"].textValue { try Self.touch(db, endpoint: endpoint, handle: handle) }
            return row
        }
        return try row.map(Self.association(from:))
    }

    /// Marks the association as the most recently used.
    private static func touch(_ db: SQLiteConnection, endpoint: String, handle: String) throws(SQLiteError) {
        _ = try db.run(
            "UPDATE openid_association SET last_use = \(nextUse) WHERE endpoint = ? AND handle = ?", [endpoint, handle])
    }

    /// Removes the association; true when there was one.
    @discardableResult
    public func removeAssociation(endpoint: String, handle: String) async throws(OpenIDError) -> Bool {
        try await withConnection("remove an association") { db throws(SQLiteError) in
            try db.run("DELETE FROM openid_association WHERE endpoint = ? AND handle = ?", [endpoint, handle]) > 0
        }
    }

    /// Forgets expired associations.
    public func removeExpiredAssociations(at date: Date) async throws(OpenIDError) {
        _ = try await withConnection("remove expired associations") { db throws(SQLiteError) in
            try db.run("DELETE FROM openid_association WHERE expires_at <= ?", [date.timeIntervalSince1970])
        }
    }

    private static func association(from row: SQLiteRow) throws(OpenIDError) -> OpenIDAssociation {
        do {
            guard let type = OpenIDAssociation.AssociationType(rawValue: try row.text("type")),
                  let issued = row["issued_at"].realValue, let expires = row["expires_at"].realValue
            else { throw OpenIDError.store.with(message: "an association row is malformed") }
            return OpenIDAssociation(
                endpoint: try row.text("endpoint"), handle: try row.text("handle"), secret: try row.blob("secret"),
                type: type, issuedAt: Date(timeIntervalSince1970: issued), expiresAt: Date(timeIntervalSince1970: expires))
        } catch let error as OpenIDError {
            throw error
        } catch {
            throw OpenIDError.store.with(message: "an association row is malformed")
        }
    }

    // MARK: DiscoveryCache

    /// The fresh entry for `identifier`, if any.
    public func services(for identifier: String, at date: Date) async throws(OpenIDError) -> DiscoveredIdentifier? {
        let row = try await withReader("read the discovery cache") { db throws(SQLiteError) in
            try db.queryFirst(
                "SELECT result FROM openid_discovery WHERE identifier = ? AND expires_at > ?",
                [identifier, date.timeIntervalSince1970])
        }
        guard let text = row?["result"].textValue else { return nil }
        guard let result = try? JSONDecoder().decode(DiscoveredIdentifier.self, from: Data(text.utf8)) else {
            throw OpenIDError.store.with(message: "a discovery cache entry is malformed")
        }
        return result
    }

    /// Caches `result` until `expiresAt`.
    public func store(_ result: DiscoveredIdentifier, for identifier: String, expiresAt: Date) async throws(OpenIDError) {
        guard let data = try? JSONEncoder().encode(result) else {
            throw OpenIDError.store.with(message: "cannot encode a discovery result")
        }
        let text = String(decoding: data, as: UTF8.self)
        _ = try await withConnection("write the discovery cache") { db throws(SQLiteError) in
            try db.run(
                "INSERT OR REPLACE INTO openid_discovery (identifier, result, expires_at) VALUES (?, ?, ?)",
                [identifier, text, expiresAt.timeIntervalSince1970])
            try db.run(
                """
                DELETE FROM openid_discovery WHERE rowid IN
                    (SELECT rowid FROM openid_discovery ORDER BY expires_at DESC LIMIT -1 OFFSET ?)
                """, [self.configuration.maximumDiscoveryEntries])
        }
    }

    /// Drops discovery results expired at `date`.
    public func removeExpiredEntries(at date: Date) async throws(OpenIDError) {
        _ = try await withConnection("remove expired discovery results") { db throws(SQLiteError) in
            try db.run("DELETE FROM openid_discovery WHERE expires_at <= ?", [date.timeIntervalSince1970])
        }
    }

    // MARK: Statistics

    /// How many rows each table holds (for operators' metrics and tests).
    public func entryCounts() async throws(OpenIDError) -> EntryCounts {
        try await withReader("count entries") { db throws(SQLiteError) in
            func count(_ table: String) throws(SQLiteError) -> Int {
                Int(try db.queryFirst("SELECT count(*) AS n FROM \(table)", [])?["n"].integerValue ?? 0)
            }
            return EntryCounts(
                nonces: try count("openid_nonce"), associations: try count("openid_association"),
                discoveryEntries: try count("openid_discovery"))
        }
    }
}
