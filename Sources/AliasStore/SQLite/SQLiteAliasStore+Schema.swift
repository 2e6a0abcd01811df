import CommunityMailSQL

extension SQLiteAliasStore {
    /// The schema, one migration per version (`PRAGMA user_version`). Never edit a shipped
    /// migration; append a new one.
    static let migrations: [SQLiteMigration] = [
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY NOT NULL,
            email TEXT NOT NULL,
            locale TEXT NOT NULL,
            banned INTEGER NOT NULL CHECK (banned IN (0, 1))
        ) STRICT;
        CREATE TABLE domains (
            name TEXT PRIMARY KEY NOT NULL,
            plan TEXT NOT NULL CHECK (plan IN ('free', 'enhanced', 'team')),
            verification_token TEXT NOT NULL,
            verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
            last_checked_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE domain_members (
            domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
            role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
            PRIMARY KEY (domain, user_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX domain_members_user ON domain_members(user_id);
        CREATE TABLE aliases (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            domain TEXT NOT NULL REFERENCES domains(name) ON DELETE RESTRICT,
            name TEXT NOT NULL,
            kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
            owner TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
            recipients TEXT NOT NULL CHECK (recipients <> ''),
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            description TEXT NOT NULL,
            labels TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            provisioner_kind TEXT NOT NULL CHECK (provisioner_kind IN ('person', 'sync')),
            provisioner_id TEXT NOT NULL,
            revision INTEGER NOT NULL CHECK (revision >= 1)
        ) STRICT;
        CREATE UNIQUE INDEX aliases_address ON aliases(domain, name);
        CREATE INDEX aliases_owner ON aliases(owner);
        CREATE INDEX aliases_patterns ON aliases(domain, name) WHERE kind = 2;
        CREATE TABLE changes (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor_kind TEXT NOT NULL CHECK (actor_kind IN ('person', 'sync')),
            actor_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            entity TEXT NOT NULL CHECK (entity IN ('user', 'domain', 'member', 'alias')),
            key TEXT NOT NULL,
            detail TEXT NOT NULL
        ) STRICT;
        """,
        // 2: the OpenID claimed identifier ties a user record to one person (names get reused).
        """
        ALTER TABLE users ADD COLUMN claimed_identifier TEXT;
        CREATE UNIQUE INDEX users_claimed_identifier ON users(claimed_identifier) WHERE claimed_identifier IS NOT NULL;
        """,
    ]
}
