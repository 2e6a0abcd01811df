import CommunityMailSQL
import Foundation

/// ``AliasReading`` over one SQLite connection, inside whatever transaction the caller
/// holds; also decodes rows into the model.
struct SQLiteAliasReader: AliasReading {
    let connection: SQLiteConnection
    /// Domain and owner states remembered across transactions (resolution only; a change
    /// must read its own uncommitted writes).
    var cache: ResolutionCache.View?

    init(connection: SQLiteConnection, cache: ResolutionCache.View? = nil) {
        self.connection = connection
        self.cache = cache
    }

    static let aliasColumns = """
        a.id, a.domain, a.name, a.owner, a.recipients, a.enabled, a.description, a.labels, a.created_at, \
        a.updated_at, a.provisioner_kind, a.provisioner_id, a.revision
        """

    func domainVerified(_ domain: String) throws(AliasStoreError) -> Bool? {
        if let known = cache?.state(of: domain) { return known }
        let state = try storage { () throws(SQLiteError) in
            let statement = try connection.prepare("SELECT verified FROM domains WHERE name = ?")
            defer { statement.reset() }
            try statement.bind([domain])
            return try statement.step() ? statement.value(at: 0).integerValue == 1 : nil
        }
        cache?.remember(state, for: domain)
        return state
    }

    func memberRole(domain: String, userID: String) throws(AliasStoreError) -> DomainRole? {
        try storage { () throws(SQLiteError) in
            try connection.queryFirst("SELECT role FROM domain_members WHERE domain = ? AND user_id = ?", [domain, userID])
                .flatMap { $0[0].textValue }.flatMap(DomainRole.init(rawValue:))
        }
    }

    func user(_ id: String) throws(AliasStoreError) -> User? {
        try storage { () throws(SQLiteError) in
            guard let row = try connection.queryFirst("SELECT \(Self.userColumns) FROM users WHERE id = ?", [id]) else { return nil }
            return try Self.user(row)
        }
    }

    func user(claimedIdentifier: String) throws(AliasStoreError) -> User? {
        try storage { () throws(SQLiteError) in
            guard let row = try connection.queryFirst(
                "SELECT \(Self.userColumns) FROM users WHERE claimed_identifier = ?", [claimedIdentifier])
            else { return nil }
            return try Self.user(row)
        }
    }

    /// What resolution reads of an alias: its owner's ban state comes from ``ownerBanned(_:)``,
    /// usually remembered, so the hot look-up touches only the alias index and table.
    static let matchColumns = "name, enabled, recipients, owner"

    func exactAlias(domain: String, name: String) throws(AliasStoreError) -> AliasMatch? {
        let found = try storage { () throws(SQLiteError) -> (AliasMatch, owner: String)? in
            let statement = try connection.prepare("SELECT \(Self.matchColumns) FROM aliases WHERE domain = ? AND name = ?")
            defer { statement.reset() }
            try statement.bind([domain, name])
            guard try statement.step() else { return nil }
            return try Self.match(statement)
        }
        guard let (found, owner) = found, let banned = try ownerBanned(owner) else { return nil }
        var match = found
        match.ownerBanned = banned
        return match
    }

    func patternAliases(domain: String) throws(AliasStoreError) -> [AliasMatch] {
        // On the mail path for every address without an exact alias.
        let found = try storage { () throws(SQLiteError) in
            try aliasRows("SELECT \(Self.matchColumns) FROM aliases WHERE domain = ? AND kind = 2 ORDER BY name", [domain], Self.match)
        }
        var matches: [AliasMatch] = []
        matches.reserveCapacity(found.count)
        for (match, owner) in found {
            guard let banned = try ownerBanned(owner) else { continue }
            var match = match
            match.ownerBanned = banned
            matches.append(match)
        }
        return matches
    }

    /// Whether the user `owner` is banned; nil when there is no such user. The schema's
    /// foreign key prevents that, but a file edited with foreign keys off can hold such an
    /// alias: resolution treats it as absent (as the join on users it once used did) rather
    /// than forwarding for nobody.
    func ownerBanned(_ owner: String) throws(AliasStoreError) -> Bool? {
        if let known = cache?.ownerState(owner) { return known }
        let banned = try storage { () throws(SQLiteError) -> Bool? in
            let statement = try connection.prepare("SELECT banned FROM users WHERE id = ?")
            defer { statement.reset() }
            try statement.bind([owner])
            return try statement.step() ? statement.value(at: 0).integerValue == 1 : nil
        }
        cache?.remember(banned: banned, owner: owner)
        return banned
    }

    func aliasCount(owner: String) throws(AliasStoreError) -> Int {
        try storage { () throws(SQLiteError) in
            Int(try connection.queryFirst("SELECT count(*) FROM aliases WHERE owner = ?", [owner])?[0].integerValue ?? 0)
        }
    }

    // MARK: Whole records

    func domain(_ name: String) throws(AliasStoreError) -> Domain? {
        try storage { () throws(SQLiteError) in
            guard let row = try connection.queryFirst("SELECT * FROM domains WHERE name = ?", [name]) else { return nil }
            let members = try connection.query("SELECT user_id, role FROM domain_members WHERE domain = ? ORDER BY user_id", [name])
                .map { row throws(SQLiteError) in try Self.member(row) }
            return try Self.domain(row, members: members)
        }
    }

    func domains() throws(AliasStoreError) -> [Domain] {
        try storage { () throws(SQLiteError) in
            // Every domain's members in one query, not one query per domain.
            var members: [String: [DomainMember]] = [:]
            for row in try connection.query("SELECT domain, user_id, role FROM domain_members ORDER BY domain, user_id") {
                members[try row.text("domain"), default: []].append(try Self.member(row))
            }
            return try connection.query("SELECT * FROM domains ORDER BY name").map { row throws(SQLiteError) in
                try Self.domain(row, members: members[try row.text("name")] ?? [])
            }
        }
    }

    func users() throws(AliasStoreError) -> [User] {
        try storage { () throws(SQLiteError) in
            try connection.query("SELECT \(Self.userColumns) FROM users ORDER BY id").map { row throws(SQLiteError) in try Self.user(row) }
        }
    }

    func aliases(where condition: String, _ bindings: [any SQLiteBindable], orderBy: String) throws(AliasStoreError) -> [Alias] {
        try storage { () throws(SQLiteError) in
            try aliasRows("SELECT \(Self.aliasColumns) FROM aliases a WHERE \(condition) ORDER BY \(orderBy)", bindings) {
                statement throws(SQLiteError) in try Self.alias(statement)
            }
        }
    }

    func changes(after cursor: Int64, limit: Int) throws(AliasStoreError) -> [ChangeLogEntry] {
        try storage { () throws(SQLiteError) in
            try connection.query("SELECT * FROM changes WHERE sequence > ? ORDER BY sequence LIMIT ?", [cursor, max(0, limit)])
                .map { row throws(SQLiteError) in try Self.change(row) }
        }
    }

    func lastAliasID() throws(AliasStoreError) -> Int64 {
        try storage { () throws(SQLiteError) in
            try connection.queryFirst("SELECT seq FROM sqlite_sequence WHERE name = 'aliases'")?[0].integerValue ?? 0
        }
    }

    func isEmpty() throws(AliasStoreError) -> Bool {
        try storage { () throws(SQLiteError) in
            try connection.queryFirst(
                "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM domains) + (SELECT count(*) FROM changes)")?[0]
                .integerValue == 0
        }
    }

    // MARK: Row decoding

    /// Every row of `sql`, each decoded by `decode` straight from the statement.
    private func aliasRows<T>(
        _ sql: String, _ bindings: [any SQLiteBindable], _ decode: (SQLiteStatement) throws(SQLiteError) -> T
    ) throws(SQLiteError) -> [T] {
        let statement = try connection.prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var rows: [T] = []
        while try statement.step() { rows.append(try decode(statement)) }
        return rows
    }

    private static func member(_ row: SQLiteRow) throws(SQLiteError) -> DomainMember {
        DomainMember(userID: try row.text("user_id"), role: DomainRole(rawValue: try row.text("role")) ?? .user)
    }

    private static func domain(_ row: SQLiteRow, members: [DomainMember]) throws(SQLiteError) -> Domain {
        Domain(
            name: try row.text("name"), plan: DomainPlan(rawValue: try row.text("plan")) ?? .free,
            verificationToken: try row.text("verification_token"), verified: try row.integer("verified") == 1,
            lastCheckedAt: row["last_checked_at"].integerValue.map(Date.init(millisecondsSince1970:)), members: members,
            createdAt: Date(millisecondsSince1970: try row.integer("created_at")),
            updatedAt: Date(millisecondsSince1970: try row.integer("updated_at")))
    }

    static let userColumns = "id, email, locale, banned, claimed_identifier"

    static func user(_ row: SQLiteRow) throws(SQLiteError) -> User {
        User(
            id: try row.text("id"), email: try row.text("email"), locale: try row.text("locale"), banned: try row.integer("banned") == 1,
            claimedIdentifier: row["claimed_identifier"].textValue)
    }

    /// The match (its owner's ban state not yet known) and owner in the current row of a
    /// statement selecting ``matchColumns``.
    static func match(_ statement: SQLiteStatement) throws(SQLiteError) -> (AliasMatch, owner: String) {
        guard let name = statement.value(at: 0).textValue, let enabled = statement.value(at: 1).integerValue,
              let recipients = statement.value(at: 2).textValue, let owner = statement.value(at: 3).textValue
        else { throw SQLiteError.typeMismatch.with(message: "alias match columns have the wrong types") }
        return (AliasMatch(name: name, enabled: enabled == 1, recipients: splitList(recipients), ownerBanned: false), owner)
    }

    /// The alias in the current row of a statement selecting ``aliasColumns`` first.
    static func alias(_ statement: SQLiteStatement) throws(SQLiteError) -> Alias {
        func text(_ index: Int) throws(SQLiteError) -> String {
            guard let value = statement.value(at: index).textValue else { throw SQLiteError.typeMismatch.with(message: "alias column \(index) is not text") }
            return value
        }
        func integer(_ index: Int) throws(SQLiteError) -> Int64 {
            guard let value = statement.value(at: index).integerValue else { throw SQLiteError.typeMismatch.with(message: "alias column \(index) is not an integer") }
            return value
        }
        let kind = try text(10)
        guard let provisioner = ChangeActor(kind: kind, identifier: try text(11)) else {
            throw SQLiteError.typeMismatch.with(message: "unknown provisioner kind \(kind)")
        }
        return Alias(
            id: try integer(0), name: try text(2), domain: try text(1), owner: try text(3), recipients: splitList(try text(4)),
            enabled: try integer(5) == 1, description: try text(6), labels: splitList(try text(7)),
            createdAt: Date(millisecondsSince1970: try integer(8)), updatedAt: Date(millisecondsSince1970: try integer(9)),
            provisionedBy: provisioner, revision: try integer(12))
    }

    static func change(_ row: SQLiteRow) throws(SQLiteError) -> ChangeLogEntry {
        let kind = try row.text("actor_kind")
        guard let actor = ChangeActor(kind: kind, identifier: try row.text("actor_id")),
              let action = ChangeAction(rawValue: try row.text("action")),
              let entity = ChangeEntity(rawValue: try row.text("entity"))
        else { throw SQLiteError.typeMismatch.with(message: "a change-log row has an unknown kind") }
        return ChangeLogEntry(
            sequence: try row.integer("sequence"), at: Date(millisecondsSince1970: try row.integer("at")), actor: actor,
            action: action, entity: entity, key: try row.text("key"), detail: try row.text("detail"))
    }

    /// Recipients and labels are stored one a line: neither may contain a line break.
    static func joinList(_ items: [String]) -> String { items.joined(separator: "\n") }
    static func splitList(_ text: String) -> [String] {
        // Most aliases have one recipient: skip the generic split for them (the mail path).
        if text.isEmpty { return [] }
        guard text.utf8.contains(UInt8(ascii: "\n")) else { return [text] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Runs `body`, turning SQLite's errors into ``AliasStoreError/storage`` with the SQLite
/// error as its cause.
@discardableResult
func storage<T>(_ body: () throws(SQLiteError) -> T) throws(AliasStoreError) -> T {
    do {
        return try body()
    } catch {
        throw AliasStoreError.storage.caused(by: error, context: error == .constraint ? "a database constraint refused the change" : "the database failed")
    }
}
