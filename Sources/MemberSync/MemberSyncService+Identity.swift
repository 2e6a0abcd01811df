import AliasStore
import Foundation

extension MemberSyncService {
    /// Ties a sign-in to the person behind the stored records. Launchpad names are keys
    /// people can give up and others can take; the OpenID claimed identifier is not.
    ///
    /// - Returns: the stored user of the same person under another name (a Launchpad
    ///   rename), whose record the sync must move to the new name; nil otherwise.
    /// - Throws: ``MemberSyncError/identityMismatch`` (after telling the admins) when the
    ///   nickname's record belongs to another claimed identifier, or has one while the
    ///   sign-in brings none.
    func checkIdentity(_ identity: MemberIdentity, stored: User?, map: MembersMap) async throws -> User? {
        if let stored, let recorded = stored.claimedIdentifier, recorded != identity.claimedID {
            await notifyIdentityConflict(identity, stored: stored, map: map)
            throw MemberSyncError.identityMismatch.with(
                message: "the record of \(stored.id) belongs to another Ubuntu One account than the one that signed in; nothing was changed")
        }
        // Held by the nickname's own user: identifiers are unique, so no one else has it.
        if stored?.claimedIdentifier != nil { return nil }
        guard let claimed = identity.claimedID, let holder = try await aliases.user(claimedIdentifier: claimed),
              holder.id != identity.userID
        else { return nil }
        return holder
    }

    /// Moves what the sync must keep of `previous` (the same person under their old
    /// Launchpad name) to `identity`'s name, then deletes the old record, so that nothing
    /// is left under the old name for its next holder to inherit:
    /// - the addresses the sync gave the old name are deleted whatever the removal policy
    ///   (the provisioning that follows gives the new name's where the person still
    ///   qualifies); the domains' admins are told;
    /// - hand-made addresses keep their names and change owner;
    /// - domain roles move to the new name (an admin stays an admin; a `user` membership of
    ///   a mapped domain is then kept or dropped by the provisioning as for anyone).
    ///
    /// Each step can be repeated: until the old record is deleted it keeps the claimed
    /// identifier, so an interrupted move is finished by the next sign-in and the old name
    /// stays refused to anyone else meanwhile.
    /// - Returns: the user record under the new name (without the identifier yet).
    func moveRenamedUser(
        _ previous: User, to identity: MemberIdentity, stored: User?, report: inout UserSyncReport
    ) async throws -> User {
        let newID = identity.userID
        let target: User
        if let stored {
            target = stored
        } else {
            target = try await aliases.saveUser(User(id: newID, email: identity.email, locale: identity.locale), by: actor)
        }
        report.renamedFrom = previous.id
        let owned = try await aliases.aliases(owner: previous.id)
        for domain in try await aliases.domains() {
            let here = owned.filter { $0.domain == domain.name }
            guard !here.isEmpty || domain.role(of: previous.id) != nil else { continue }
            let part = try await locks.withLock(domain.name) { () async throws -> UserSyncReport in
                var part = UserSyncReport(userID: newID)
                for alias in here {
                    let address = "\(alias.name)@\(alias.domain)"
                    if alias.provisionedBy == actor {
                        // Deleted even under `.disable`: a disabled alias would only keep the
                        // name from its next holder.
                        try await aliases.deleteAlias(id: alias.id, by: actor)
                        part.removed.append(address)
                        let why = "its owner is now \(newID) on Launchpad"
                        await notify(removedNotice(address: address, identity: identity, domain: domain, why: why), report: &part)
                    } else {
                        _ = try await aliases.modifyAlias(id: alias.id, by: actor) { $0.owner = newID }
                        part.moved.append(address)
                    }
                }
                let current = try await aliases.domain(named: domain.name)
                if let role = current?.role(of: previous.id) {
                    if current?.role(of: newID) != .admin {
                        _ = try await aliases.setMember(newID, role: role, onDomain: domain.name, by: actor)
                    }
                    _ = try await aliases.removeMember(previous.id, fromDomain: domain.name, by: actor)
                }
                return part
            }
            report.merge(part)
        }
        try await aliases.deleteUser(id: previous.id, by: actor)
        return target
    }

    /// Tells the admins of the domains the stored user belongs to or the nickname would
    /// get, and the alerts address, that a sign-in was refused for using a reused name.
    private func notifyIdentityConflict(_ identity: MemberIdentity, stored: User, map: MembersMap) async {
        var recipients = Set(configuration.alertsAddress.map { [$0] } ?? [])
        if let domains = try? await aliases.domains() {
            for domain in domains {
                let inTeam = configuration.mapping.team(for: domain.name).map { map.contains(identity.userID, inTeam: $0) } ?? false
                guard inTeam || domain.role(of: stored.id) != nil else { continue }
                recipients.formUnion(await adminAddresses(of: domain))
            }
        }
        let notice = Notice(
            kind: .identityConflict, recipients: recipients.sorted(),
            subject: "Sign-in refused: the user name \(identity.userID) belongs to another person's record",
            body: """
                Someone signed in as \(identity.userID) with an Ubuntu One account other than the one
                the stored user \(stored.id) belongs to. Launchpad names can be given up and taken
                by someone else, so nothing was changed and the sign-in was refused.

                If the previous owner was renamed on Launchpad, their record moves to the new name
                when they sign in again; otherwise an admin must decide what happens to the record.
                """,
            deduplicationKey: "identity-conflict|\(identity.userID)")
        var ignored = UserSyncReport(userID: identity.userID)
        await notify(notice, report: &ignored)
    }
}
