import CommunityMailSQL
import CommunityMailSystem
import Foundation

/// One change on the store's writer connection, inside the write transaction the database
/// holds for it: validates, writes and logs together, so the change and its log entries
/// commit or roll back as one. Made afresh for each change, on the executor's thread.
struct SQLiteAliasWriter {
    let connection: SQLiteConnection
    let policy: AliasPolicy
    /// The change's time, for its stamps and its log entries.
    let time: Date

    /// Runs `body` with the connection, a reader over it (so validation sees the change's
    /// own writes) and the change's time.
    private func change<T>(
        _ body: (SQLiteConnection, SQLiteAliasReader, Date) throws(AliasStoreError) -> T
    ) throws(AliasStoreError) -> T {
        try body(connection, SQLiteAliasReader(connection: connection), time)
    }

    private func log(
        _ actor: ChangeActor, _ action: ChangeAction, _ entity: ChangeEntity, _ key: String, _ detail: String, at time: Date
    ) throws(AliasStoreError) {
        try storage { () throws(SQLiteError) in
            try connection.run(
                "INSERT INTO changes (at, actor_kind, actor_id, action, entity, key, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [time.millisecondsSince1970, actor.kindText, actor.identifier, action.rawValue, entity.rawValue, key, detail])
        }
    }

    private func sql(_ text: String, _ bindings: [any SQLiteBindable]) throws(AliasStoreError) {
        try storage { () throws(SQLiteError) in _ = try connection.run(text, bindings) }
    }

    // MARK: Users

    func saveUser(_ user: User, by actor: ChangeActor) throws(AliasStoreError) -> User {
        let prepared = try AliasValidation.prepareUser(user)
        return try change { _, reader, time throws(AliasStoreError) in
            var user = prepared
            let stored = try reader.user(user.id)
            user.claimedIdentifier = try AliasValidation.claimedIdentifier(saving: user, over: stored)
            try checkUnique(user, reader)
            try sql(
                """
                INSERT INTO users (id, email, locale, banned, claimed_identifier) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET email = excluded.email, locale = excluded.locale, banned = excluded.banned,
                    claimed_identifier = excluded.claimed_identifier
                """,
                [user.id, user.email, user.locale, user.banned, user.claimedIdentifier])
            try log(actor, stored != nil ? .update : .create, .user, user.id, AliasValidation.userDetail(user, over: stored), at: time)
            return user
        }
    }

    private func checkUnique(_ user: User, _ reader: SQLiteAliasReader) throws(AliasStoreError) {
        if let claimed = user.claimedIdentifier, let holder = try reader.user(claimedIdentifier: claimed), holder.id != user.id {
            throw AliasStoreError.duplicateClaimedIdentifier.with(message: "the claimed identifier of \(user.id) belongs to \(holder.id)")
        }
    }

    func rebindUser(id: String, claimedIdentifier: String?, by actor: ChangeActor) throws(AliasStoreError) -> User {
        if let claimedIdentifier { try AliasValidation.claimedIdentifier(claimedIdentifier) }
        return try change { _, reader, time throws(AliasStoreError) in
            guard let stored = try reader.user(id) else { throw AliasStoreError.userNotFound.with(message: "no user has id \(id)") }
            var user = stored
            user.claimedIdentifier = claimedIdentifier
            try checkUnique(user, reader)
            try sql("UPDATE users SET claimed_identifier = ? WHERE id = ?", [claimedIdentifier, id])
            try log(actor, .update, .user, id, AliasValidation.userDetail(user, over: stored), at: time)
            return user
        }
    }

    func moveUser(id: String, to user: User, deletingAliasesProvisionedBy provisioner: ChangeActor?, by actor: ChangeActor) throws(AliasStoreError) -> UserMove {
        let target = try AliasValidation.prepareUser(user)
        return try change { connection, reader, time throws(AliasStoreError) in
            guard let old = try reader.user(id) else { throw AliasStoreError.userNotFound.with(message: "no user has id \(id)") }
            let roles = try reader.domains().compactMap { domain in
                domain.role(of: id).map { (domain: domain.name, old: $0, target: domain.role(of: target.id)) }
            }
            let plan = try UserMovePlan(
                old: old, target: target, existing: try reader.user(target.id),
                owned: try reader.aliases(where: "a.owner = ?", [id], orderBy: "a.id"), roles: roles,
                deletingProvisionedBy: provisioner, at: time)
            // The identifier moves last: the unique index allows one holder at a time.
            try sql(
                """
                INSERT INTO users (id, email, locale, banned, claimed_identifier) VALUES (?, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET email = excluded.email, locale = excluded.locale, banned = excluded.banned
                """,
                [plan.user.id, plan.user.email, plan.user.locale, plan.user.banned])
            try log(actor, plan.targetExisted ? .update : .create, .user, plan.user.id, plan.userDetail, at: time)
            for alias in plan.deleted {
                try sql("DELETE FROM aliases WHERE id = ?", [alias.id])
                try log(actor, .delete, .alias, alias.address, "", at: time)
            }
            for alias in plan.moved {
                try sql(
                    "UPDATE aliases SET owner = ?, updated_at = ?, revision = ? WHERE id = ?",
                    [alias.owner, time.millisecondsSince1970, alias.revision, alias.id])
                try log(actor, .update, .alias, alias.address, AliasChangeDetail.describe(alias), at: time)
            }
            for membership in plan.memberships {
                if let role = membership.newRole {
                    try sql(
                        "INSERT INTO domain_members (domain, user_id, role) VALUES (?, ?, ?) ON CONFLICT(domain, user_id) DO UPDATE SET role = excluded.role",
                        [membership.domain, plan.user.id, role.rawValue])
                    try log(actor, membership.wasMember ? .update : .create, .member, "\(plan.user.id)@\(membership.domain)", role.rawValue, at: time)
                }
                try sql("DELETE FROM domain_members WHERE domain = ? AND user_id = ?", [membership.domain, id])
                try sql("UPDATE domains SET updated_at = ? WHERE name = ?", [time.millisecondsSince1970, membership.domain])
                try log(actor, .delete, .member, "\(id)@\(membership.domain)", "", at: time)
            }
            try sql("DELETE FROM users WHERE id = ?", [id])
            try sql("UPDATE users SET claimed_identifier = ? WHERE id = ?", [plan.user.claimedIdentifier, plan.user.id])
            try log(actor, .delete, .user, id, "moved to \(plan.user.id)", at: time)
            return UserMove(user: plan.user, deletedAliases: plan.deleted, movedAliases: plan.moved)
        }
    }

    func deleteUser(id: String, by actor: ChangeActor) throws(AliasStoreError) {
        try change { connection, reader, time throws(AliasStoreError) in
            guard try reader.user(id) != nil else { throw AliasStoreError.userNotFound.with(message: "no user has id \(id)") }
            let uses = try storage { () throws(SQLiteError) in
                try connection.queryFirst(
                    "SELECT (SELECT count(*) FROM aliases WHERE owner = ?1) + (SELECT count(*) FROM domain_members WHERE user_id = ?1)", [id]
                )?[0].integerValue ?? 0
            }
            guard uses == 0 else { throw AliasStoreError.userInUse.with(message: "\(id) still owns aliases or belongs to a domain") }
            try sql("DELETE FROM users WHERE id = ?", [id])
            try log(actor, .delete, .user, id, "", at: time)
        }
    }

    // MARK: Domains

    func createDomain(_ name: String, plan: DomainPlan, verificationToken: String?, by actor: ChangeActor) throws(AliasStoreError) -> Domain {
        let ascii = try EmailAddress.normalizeDomain(name)
        let token = try AliasValidation.verificationToken(verificationToken)
        return try change { _, reader, time throws(AliasStoreError) in
            guard try reader.domainVerified(ascii) == nil else { throw AliasStoreError.duplicateDomain.with(message: "\(ascii) already exists") }
            try sql(
                "INSERT INTO domains (name, plan, verification_token, verified, last_checked_at, created_at, updated_at) VALUES (?, ?, ?, 0, NULL, ?, ?)",
                [ascii, plan.rawValue, token, time.millisecondsSince1970, time.millisecondsSince1970])
            try log(actor, .create, .domain, ascii, "plan \(plan.rawValue)", at: time)
            return Domain(name: ascii, plan: plan, verificationToken: token, verified: false, lastCheckedAt: nil, members: [], createdAt: time, updatedAt: time)
        }
    }

    private func existingDomain(_ name: String, _ reader: SQLiteAliasReader) throws(AliasStoreError) -> String {
        let ascii = try EmailAddress.normalizeDomain(name)
        guard try reader.domainVerified(ascii) != nil else { throw AliasStoreError.domainNotFound.with(message: "the store does not serve \(ascii)") }
        return ascii
    }

    private func reload(_ name: String, _ reader: SQLiteAliasReader) throws(AliasStoreError) -> Domain {
        guard let domain = try reader.domain(name) else { throw AliasStoreError.domainNotFound.with(message: "the store does not serve \(name)") }
        return domain
    }

    func setPlan(_ plan: DomainPlan, forDomain name: String, by actor: ChangeActor) throws(AliasStoreError) -> Domain {
        try change { _, reader, time throws(AliasStoreError) in
            let ascii = try existingDomain(name, reader)
            try sql("UPDATE domains SET plan = ?, updated_at = ? WHERE name = ?", [plan.rawValue, time.millisecondsSince1970, ascii])
            try log(actor, .update, .domain, ascii, "plan \(plan.rawValue)", at: time)
            return try reload(ascii, reader)
        }
    }

    func recordVerification(domain name: String, verified: Bool, by actor: ChangeActor) throws(AliasStoreError) -> Domain {
        try change { _, reader, time throws(AliasStoreError) in
            let ascii = try existingDomain(name, reader)
            try sql(
                "UPDATE domains SET verified = ?, last_checked_at = ?, updated_at = ? WHERE name = ?",
                [verified, time.millisecondsSince1970, time.millisecondsSince1970, ascii])
            try log(actor, .update, .domain, ascii, verified ? "verified" : "not verified", at: time)
            return try reload(ascii, reader)
        }
    }

    func setMember(_ userID: String, role: DomainRole, onDomain name: String, by actor: ChangeActor) throws(AliasStoreError) -> Domain {
        try change { _, reader, time throws(AliasStoreError) in
            let ascii = try existingDomain(name, reader)
            guard try reader.user(userID) != nil else { throw AliasStoreError.userNotFound.with(message: "no user has id \(userID)") }
            let existed = try reader.memberRole(domain: ascii, userID: userID) != nil
            try sql(
                "INSERT INTO domain_members (domain, user_id, role) VALUES (?, ?, ?) ON CONFLICT(domain, user_id) DO UPDATE SET role = excluded.role",
                [ascii, userID, role.rawValue])
            try sql("UPDATE domains SET updated_at = ? WHERE name = ?", [time.millisecondsSince1970, ascii])
            try log(actor, existed ? .update : .create, .member, "\(userID)@\(ascii)", role.rawValue, at: time)
            return try reload(ascii, reader)
        }
    }

    func removeMember(_ userID: String, fromDomain name: String, by actor: ChangeActor) throws(AliasStoreError) -> Domain {
        try change { _, reader, time throws(AliasStoreError) in
            let ascii = try existingDomain(name, reader)
            guard try reader.memberRole(domain: ascii, userID: userID) != nil else {
                throw AliasStoreError.memberNotFound.with(message: "\(userID) is not a member of \(ascii)")
            }
            try sql("DELETE FROM domain_members WHERE domain = ? AND user_id = ?", [ascii, userID])
            try sql("UPDATE domains SET updated_at = ? WHERE name = ?", [time.millisecondsSince1970, ascii])
            try log(actor, .delete, .member, "\(userID)@\(ascii)", "", at: time)
            return try reload(ascii, reader)
        }
    }

    func deleteDomain(named name: String, by actor: ChangeActor) throws(AliasStoreError) {
        try change { connection, reader, time throws(AliasStoreError) in
            let ascii = try existingDomain(name, reader)
            let count = try storage { () throws(SQLiteError) in
                try connection.queryFirst("SELECT count(*) FROM aliases WHERE domain = ?", [ascii])?[0].integerValue ?? 0
            }
            guard count == 0 else { throw AliasStoreError.domainInUse.with(message: "\(ascii) still has aliases") }
            try sql("DELETE FROM domains WHERE name = ?", [ascii])
            try log(actor, .delete, .domain, ascii, "", at: time)
        }
    }

    // MARK: Aliases

    func createAlias(_ new: NewAlias, by actor: ChangeActor) throws(AliasStoreError) -> Alias {
        try change { connection, reader, time throws(AliasStoreError) in
            let prepared = try AliasValidation.prepare(new, actor: actor, policy: policy, reader: reader)
            guard try reader.exactAlias(domain: prepared.domain, name: prepared.name) == nil else {
                throw AliasStoreError.duplicateAlias.with(message: "the domain already has an alias with this name")
            }
            let kind = AliasKind(name: prepared.name)
            try sql(
                """
                INSERT INTO aliases (domain, name, kind, owner, recipients, enabled, description, labels, created_at, updated_at,
                                     provisioner_kind, provisioner_id, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                """,
                [prepared.domain, prepared.name, kind.rawValue, prepared.owner, SQLiteAliasReader.joinList(prepared.recipients),
                 prepared.enabled, prepared.description, SQLiteAliasReader.joinList(prepared.labels), time.millisecondsSince1970,
                 time.millisecondsSince1970, actor.kindText, actor.identifier])
            let alias = Alias(
                id: connection.lastInsertRowID, name: prepared.name, domain: prepared.domain, owner: prepared.owner,
                recipients: prepared.recipients, enabled: prepared.enabled, description: prepared.description,
                labels: prepared.labels, createdAt: time, updatedAt: time, provisionedBy: actor, revision: 1)
            try log(actor, .create, .alias, alias.address, AliasChangeDetail.describe(alias), at: time)
            return alias
        }
    }

    func updateAlias(_ alias: Alias, by actor: ChangeActor) throws(AliasStoreError) -> Alias {
        try change { _, reader, time throws(AliasStoreError) in
            guard let stored = try reader.aliases(where: "a.id = ?", [alias.id], orderBy: "a.id").first else {
                throw AliasStoreError.aliasNotFound.with(message: "no alias has id \(alias.id)")
            }
            let prepared = try AliasValidation.prepareUpdate(alias, stored: stored, actor: actor, policy: policy, reader: reader)
            let updated = prepared.updating(stored, at: time)
            let changed = try storage { () throws(SQLiteError) in
                try connection.run(
                    """
                    UPDATE aliases SET owner = ?, recipients = ?, enabled = ?, description = ?, labels = ?, updated_at = ?,
                                       revision = revision + 1
                    WHERE id = ? AND revision = ?
                    """,
                    [updated.owner, SQLiteAliasReader.joinList(updated.recipients), updated.enabled, updated.description,
                     SQLiteAliasReader.joinList(updated.labels), time.millisecondsSince1970, stored.id, stored.revision])
            }
            guard changed == 1 else { throw AliasStoreError.conflict.with(message: "the alias changed during the update") }
            try log(actor, .update, .alias, updated.address, AliasChangeDetail.describe(updated), at: time)
            return updated
        }
    }

    func deleteAlias(id: Int64, by actor: ChangeActor) throws(AliasStoreError) {
        try change { _, reader, time throws(AliasStoreError) in
            guard let stored = try reader.aliases(where: "a.id = ?", [id], orderBy: "a.id").first else {
                throw AliasStoreError.aliasNotFound.with(message: "no alias has id \(id)")
            }
            try sql("DELETE FROM aliases WHERE id = ?", [id])
            try log(actor, .delete, .alias, stored.address, "", at: time)
        }
    }

    // MARK: Restore

    func restore(_ snapshot: AliasStoreSnapshot) throws(AliasStoreError) {
        _ = try AliasState(snapshot: snapshot)
        try change { _, reader, _ throws(AliasStoreError) in
            guard try reader.isEmpty() else { throw AliasStoreError.storeNotEmpty.with(message: "restore needs an empty store") }
            for user in snapshot.users {
                try sql(
                    "INSERT INTO users (id, email, locale, banned, claimed_identifier) VALUES (?, ?, ?, ?, ?)",
                    [user.id, user.email, user.locale, user.banned, user.claimedIdentifier])
            }
            for domain in snapshot.domains {
                try sql(
                    "INSERT INTO domains (name, plan, verification_token, verified, last_checked_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [domain.name, domain.plan.rawValue, domain.verificationToken, domain.verified,
                     domain.lastCheckedAt?.millisecondsSince1970, domain.createdAt.millisecondsSince1970, domain.updatedAt.millisecondsSince1970])
                for member in domain.members {
                    try sql("INSERT INTO domain_members (domain, user_id, role) VALUES (?, ?, ?)", [domain.name, member.userID, member.role.rawValue])
                }
            }
            for alias in snapshot.aliases {
                try sql(
                    """
                    INSERT INTO aliases (id, domain, name, kind, owner, recipients, enabled, description, labels, created_at, updated_at,
                                         provisioner_kind, provisioner_id, revision)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [alias.id, alias.domain, alias.name, alias.kind.rawValue, alias.owner, SQLiteAliasReader.joinList(alias.recipients),
                     alias.enabled, alias.description, SQLiteAliasReader.joinList(alias.labels), alias.createdAt.millisecondsSince1970,
                     alias.updatedAt.millisecondsSince1970, alias.provisionedBy.kindText, alias.provisionedBy.identifier, alias.revision])
            }
            for entry in snapshot.changes {
                try sql(
                    "INSERT INTO changes (sequence, at, actor_kind, actor_id, action, entity, key, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [entry.sequence, entry.at.millisecondsSince1970, entry.actor.kindText, entry.actor.identifier, entry.action.rawValue,
                     entry.entity.rawValue, entry.key, entry.detail])
            }
            // AUTOINCREMENT keeps its high-water mark here; restoring it keeps deleted ids unused.
            try sql("DELETE FROM sqlite_sequence WHERE name = 'aliases'", [])
            try sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('aliases', ?)", [snapshot.lastAliasID])
        }
    }
}
