import AliasStore
import Foundation

extension MemberSyncService {
    /// Ties a sign-in to the person behind the stored records. Launchpad names are keys
    /// people can give up and others can take; the OpenID claimed identifier is not.
    ///
    /// - Returns: the stored user of the same person under another name (a Launchpad
    ///   rename), whose record the sync must move to the new name; nil otherwise.
    /// - Throws: ``MemberSyncError/identityMismatch`` (after telling the admins) when the
    ///   nickname's record belongs to another claimed identifier (a sign-in always brings
    ///   one; a re-sync brings the stored record's).
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

    /// Refuses to bind or move onto `stored`, a record under the sign-in's name that holds
    /// no claimed identifier, when the ledger saw another Launchpad account hold the name:
    /// Launchpad keeps `date_created` across renames, so a different date means the name
    /// changed hands and the record is not this person's.
    /// - Throws: ``MemberSyncError/identityMismatch`` (after telling the admins).
    func checkUnboundRecord(
        _ identity: MemberIdentity, stored: User?, accountCreated created: Date?, map: MembersMap
    ) async throws {
        guard let stored, stored.claimedIdentifier == nil, let created,
              let known = try await ledger.launchpadAccountCreated(of: identity.userID),
              abs(known.timeIntervalSince(created)) >= 0.001
        else { return }
        await notifyIdentityConflict(identity, stored: stored, map: map)
        throw MemberSyncError.identityMismatch.with(
            message: "the record of \(stored.id) was made for another Launchpad account than the one holding the name now; nothing was changed")
    }

    /// Moves `previous` (the same person under their old Launchpad name) to `identity`'s
    /// name in one atomic store change, so that nothing is left under the old name for its
    /// next holder to inherit, and the claimed identifier is never held by no one:
    /// - the addresses the sync gave the old name are deleted whatever the removal policy
    ///   (the provisioning that follows gives the new name's where the person still
    ///   qualifies); the domains' admins are told;
    /// - hand-made addresses keep their names and change owner;
    /// - domain roles move to the new name (an admin stays an admin; a `user` membership of
    ///   a mapped domain is then kept or dropped by the provisioning as for anyone);
    /// - the claimed identifier and a ban go with the record.
    /// - Returns: the user record under the new name.
    func moveRenamedUser(_ previous: User, to identity: MemberIdentity, report: inout UserSyncReport) async throws -> User {
        let move = try await aliases.moveUser(
            id: previous.id, to: User(id: identity.userID, email: identity.email, locale: identity.locale),
            deletingAliasesProvisionedBy: actor, by: actor)
        report.renamedFrom = previous.id
        report.moved.append(contentsOf: move.movedAliases.map(\.address))
        for alias in move.deletedAliases {
            report.removed.append(alias.address)
            guard let domain = try await aliases.domain(named: alias.domain) else { continue }
            let why = "its owner is now \(identity.userID) on Launchpad"
            await notify(removedNotice(address: alias.address, identity: identity, domain: domain, why: why), report: &report)
        }
        return move.user
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
