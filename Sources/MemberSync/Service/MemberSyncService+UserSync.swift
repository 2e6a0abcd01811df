import AliasStore
import Foundation
import LaunchpadClient

extension MemberSyncService {
    /// Syncs one member against `map`: checks them, then creates the addresses they should
    /// have and removes the ones they should not. Running it twice changes nothing the
    /// second time.
    ///
    /// - Parameters:
    ///   - identity: the member as the sign-in (or the stored user) describes them.
    ///   - map: the members map; it must not be older than the user's last sync.
    /// - Returns: what was done, including a refusal and its reason.
    /// - Throws: ``MemberSyncError/invalidIdentity`` (also for an identity without a
    ///   claimed identifier), ``MemberSyncError/staleMembersMap``,
    ///   ``MemberSyncError/identityMismatch`` (the nickname's user belongs to another claimed
    ///   identifier, or holds none while the ledger saw another Launchpad account hold the
    ///   name), and transient Launchpad or storage errors (a refusal is not an error).
    @discardableResult
    public func sync(_ identity: MemberIdentity, with map: MembersMap) async throws -> UserSyncReport {
        try await sync(identity, with: map, listed: nil)
    }

    /// ``sync(_:with:)`` for a sign-in (`listed` nil), or for the re-sync of `listed`, the
    /// stored user as the run read it: a user deleted or moved to another name since (a
    /// rename signed in meanwhile) is left alone, never re-created or moved back.
    func sync(_ identity: MemberIdentity, with map: MembersMap, listed: User?) async throws -> UserSyncReport {
        try identity.validate()
        // A sign-in binds or is checked against the record's identifier: without one it
        // could take over any record that has none. Re-syncs rebuild stored users.
        if listed == nil, identity.claimedID == nil {
            throw MemberSyncError.invalidIdentity.with(message: "the sign-in of \(identity.nickname) brings no OpenID claimed identifier")
        }
        let userID = identity.userID
        if let last = try await ledger.lastSync(of: userID), map.builtAt < last {
            throw MemberSyncError.staleMembersMap.with(
                message: "the members map of \(map.builtAt) is older than \(userID)'s last sync (\(last)); build a new one")
        }
        var report = UserSyncReport(userID: userID)
        var stored = try await aliases.user(id: userID)
        if let listed, stored == nil || stored?.claimedIdentifier != listed.claimedIdentifier {
            report.problems.append("the user was deleted or moved since the run listed it; left alone")
            return report
        }
        let previous = try await checkIdentity(identity, stored: stored, map: map)
        if stored?.banned == true || previous?.banned == true {
            report.refusal = .banned
            await notifyRefusal(of: identity, reason: .banned, map: map, report: &report)
            try await ledger.recordSync(of: userID, mapBuiltAt: map.builtAt)
            return report
        }

        // Launchpad is asked before anything is bound or moved: an error here leaves the
        // records as they were.
        let check = try await launchpadCheck(for: userID)
        if listed == nil {
            try await checkUnboundRecord(identity, stored: stored, accountCreated: check.accountCreated, map: map)
        }
        if let previous {
            stored = try await moveRenamedUser(previous, to: identity, report: &report)
        }
        let refusal = try await accountReplacement(of: userID, createdAt: check.accountCreated, isResync: listed != nil)
            ?? check.refusal
        // A refused stranger is not stored; a known user's details follow the sign-in. The
        // claimed identifier is recorded on first sign-in and never changes afterwards.
        let claimedIdentifier = stored?.claimedIdentifier ?? identity.claimedID
        let detailsChanged = stored?.email != identity.email || stored?.locale != identity.locale
            || stored?.claimedIdentifier != claimedIdentifier
        if detailsChanged && (refusal == nil || stored != nil) {
            _ = try await aliases.saveUser(
                User(
                    id: userID, email: identity.email, locale: identity.locale, banned: stored?.banned ?? false,
                    claimedIdentifier: claimedIdentifier),
                by: actor)
        }

        let domains = try await aliases.domains()
        for domain in domains {
            guard let team = configuration.mapping.team(for: domain.name) else { continue }
            let inTeam = refusal == nil && map.contains(userID, inTeam: team)
            // Each domain's changes are made under its lock into a report of their own,
            // merged afterwards: nothing outside the closure is touched while it runs.
            let part = try await locks.withLock(domain.name) { () async throws -> UserSyncReport in
                var part = UserSyncReport(userID: userID)
                if inTeam {
                    try await provision(identity, on: domain, report: &part)
                } else if stored != nil, refusal != .accountNotVisible {
                    try await deprovision(identity, on: domain, team: team, reason: refusal, report: &part)
                }
                return part
            }
            report.merge(part)
        }

        if let refusal {
            report.refusal = refusal
            await notifyRefusal(of: identity, reason: refusal, map: map, report: &report)
        }
        try await ledger.recordSync(of: userID, mapBuiltAt: map.builtAt)
        return report
    }

    /// Store errors that refuse one address without making the user's sync fail.
    static let refusalsOfTheStore: [AliasStoreError] = [
        .reservedName, .aliasLimitReached, .invalidLocalPart, .selfForwarding, .notPermitted,
    ]

    /// Why Launchpad says the user may not have an address (nil when it says they may), and
    /// the creation date of the account holding the name, when Launchpad shows it.
    private func launchpadCheck(for userID: String) async throws -> (refusal: UserSyncReport.Refusal?, accountCreated: Date?) {
        let person: LaunchpadPerson
        do {
            person = try await launchpad.person(named: userID)
        } catch let error as LaunchpadError where error == .notFound || error == .invalidName {
            return (.accountNotFound, nil)
        }
        var created: Date?
        if case .value(let date)? = person.dateCreated { created = date }
        return (launchpadRefusal(of: person), created)
    }

    /// ``UserSyncReport/Refusal/accountReplaced`` when a re-sync finds the name held by
    /// another Launchpad account than the one recorded (Launchpad keeps `date_created`
    /// across renames); otherwise records the account's date and returns nil. A sign-in
    /// (its identity already checked) always records; a re-sync records the first date.
    private func accountReplacement(
        of userID: String, createdAt created: Date?, isResync: Bool
    ) async throws -> UserSyncReport.Refusal? {
        guard let created else { return nil }
        let known = try await ledger.launchpadAccountCreated(of: userID)
        if isResync, let known, abs(known.timeIntervalSince(created)) >= 0.001 { return .accountReplaced }
        if known != created { try await ledger.recordLaunchpadAccountCreated(created, of: userID) }
        return nil
    }

    /// Why `person` may not have an address, or nil when they may.
    private func launchpadRefusal(of person: LaunchpadPerson) -> UserSyncReport.Refusal? {
        switch person.isValid {
        case .redacted: return .accountNotVisible
        case .value(false): return .accountNotValid
        case .value(true): break
        }
        guard configuration.requiresCodeOfConduct else { return nil }
        switch person.isUbuntuCoCSigner {
        case .redacted: return .accountNotVisible
        case .value(false): return .codeOfConductNotSigned
        case .value(true): return nil
        }
    }

    /// Gives a team member `<userID>@<domain>` when the domain qualifies and they lack it.
    private func provision(_ identity: MemberIdentity, on domain: Domain, report: inout UserSyncReport) async throws {
        let userID = identity.userID
        if let reason = try await disqualification(of: domain) {
            report.skipped[domain.name] = reason
            return
        }
        let address = "\(userID)@\(domain.name)"
        let role = domain.role(of: userID)
        let isAdmin = role == .admin
        if role == nil {
            _ = try await aliases.setMember(userID, role: .user, onDomain: domain.name, by: actor)
        }
        // Forwarding an address to itself would loop: such an alias is kept disabled.
        let forwardsToItself = identity.email.lowercased() == address
        if let existing = try await aliases.alias(named: userID, domain: domain.name) {
            guard existing.owner == userID else {
                report.problems.append("\(address) belongs to \(existing.owner); not given to \(userID)")
                return
            }
            if !existing.enabled, existing.provisionedBy == actor, !forwardsToItself {
                _ = try await aliases.setAliasEnabled(id: existing.id, true, by: actor)
                report.created.append(address)
                await notify(createdNotice(address: address, identity: identity, domain: domain), report: &report)
            } else {
                report.unchanged.append(address)
            }
            return
        }
        if !isAdmin {
            let owned = try await aliases.aliases(owner: userID)
            if owned.count >= configuration.maximumAliasesPerMember {
                report.skipped[domain.name] = "the member already has \(owned.count) aliases (limit \(configuration.maximumAliasesPerMember))"
                return
            }
        }
        do {
            _ = try await aliases.createAlias(
                NewAlias(
                    name: userID, domain: domain.name, owner: userID, recipients: [identity.email],
                    enabled: !forwardsToItself, description: "Provisioned for team membership", labels: ["member-sync"]),
                by: actor)
        } catch let error as AliasStoreError where Self.refusalsOfTheStore.contains(error) {
            // The store's rules say no (a reserved name such as `postmaster`, the store's
            // own per-user limit): the member keeps their other addresses.
            report.skipped[domain.name] = error.message
            return
        }
        report.created.append(address)
        await notify(createdNotice(address: address, identity: identity, domain: domain), report: &report)
    }

    /// Takes away what the sync gave a user who is no longer in the team (or whose account
    /// is no longer valid). Admins keep their membership and addresses.
    private func deprovision(
        _ identity: MemberIdentity, on domain: Domain, team: String, reason: UserSyncReport.Refusal?,
        report: inout UserSyncReport
    ) async throws {
        let role = domain.role(of: identity.userID)
        guard role != .admin else { return }
        try await removeProvisionedAliases(of: identity, on: domain, team: team, reason: reason, report: &report)
        if role != nil {
            _ = try await aliases.removeMember(identity.userID, fromDomain: domain.name, by: actor)
            report.leftDomains.append(domain.name)
        }
    }

    private func removeProvisionedAliases(
        of identity: MemberIdentity, on domain: Domain, team: String, reason: UserSyncReport.Refusal?,
        report: inout UserSyncReport
    ) async throws {
        let owned = try await aliases.aliases(owner: identity.userID)
        for alias in owned where alias.domain == domain.name && alias.provisionedBy == actor {
            let address = "\(alias.name)@\(alias.domain)"
            switch configuration.removalPolicy {
            case .remove:
                try await aliases.deleteAlias(id: alias.id, by: actor)
            case .disable:
                guard alias.enabled else { continue }
                _ = try await aliases.setAliasEnabled(id: alias.id, false, by: actor)
            }
            report.removed.append(address)
            let why = reason.map { "Launchpad: \($0.rawValue)" } ?? "they are no longer in ~\(team) on Launchpad"
            await notify(removedNotice(address: address, identity: identity, domain: domain, why: why), report: &report)
        }
    }

    /// Why a mapped domain gets no provisioning, or nil when it does: it must be on the
    /// team plan, verified, and have an admin whose user is present and not banned.
    private func disqualification(of domain: Domain) async throws -> String? {
        guard domain.plan == .team else { return "the domain is not on the team plan" }
        guard domain.verified else { return "the domain's TXT record is not verified" }
        for member in domain.members where member.role == .admin {
            if let admin = try await aliases.user(id: member.userID), !admin.banned { return nil }
        }
        return "the domain has no admin in good standing"
    }
}
