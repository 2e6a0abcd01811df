import AliasStore
import Foundation

extension MemberSyncService {
    /// Sends `notice`; a failure is recorded on the report, never thrown: a notice must
    /// not undo or block the change it reports.
    func notify(_ notice: Notice?, report: inout UserSyncReport) async {
        guard let notice, !notice.recipients.isEmpty else { return }
        do {
            try await notifier.send(notice)
        } catch {
            report.problems.append("the \(notice.kind.rawValue) notice could not be sent: \(error)")
        }
    }

    /// The e-mail addresses of a domain's admins in good standing.
    func adminAddresses(of domain: Domain) async -> [String] {
        var addresses: [String] = []
        for member in domain.members where member.role == .admin {
            if let user = try? await aliases.user(id: member.userID), !user.banned { addresses.append(user.email) }
        }
        return addresses.sorted()
    }

    func createdNotice(address: String, identity: MemberIdentity, domain: Domain) async -> Notice {
        Notice(
            kind: .aliasCreated, recipients: await adminAddresses(of: domain),
            subject: "New @\(domain.displayName) email address created: \(address)",
            body: """
                A new @\(domain.displayName) address was created for \(describe(identity)).

                Address: \(address)
                Forwards to: \(identity.email)

                It was provisioned because \(identity.userID) is a member of ~\(configuration.mapping.team(for: domain.name) ?? "?") on Launchpad.
                """,
            deduplicationKey: "alias-created|\(address)")
    }

    func removedNotice(address: String, identity: MemberIdentity, domain: Domain, why: String) async -> Notice {
        Notice(
            kind: .aliasRemoved, recipients: await adminAddresses(of: domain),
            subject: "@\(domain.displayName) email address \(configuration.removalPolicy == .remove ? "removed" : "disabled"): \(address)",
            body: """
                The address \(address) of \(describe(identity)) was \(configuration.removalPolicy == .remove ? "removed" : "disabled").

                Reason: \(why).
                """,
            deduplicationKey: "alias-removed|\(address)")
    }

    /// Tells the admins of every domain the member would have had, and the member.
    func notifyRefusal(
        of identity: MemberIdentity, reason: UserSyncReport.Refusal, map: MembersMap, report: inout UserSyncReport
    ) async {
        guard let domains = try? await aliases.domains() else { return }
        for domain in domains {
            guard let team = configuration.mapping.team(for: domain.name), map.contains(identity.userID, inTeam: team) else { continue }
            let notice = Notice(
                kind: .memberRefused, recipients: await adminAddresses(of: domain),
                subject: "\(identity.userID) was refused an @\(domain.displayName) address",
                body: """
                    \(describe(identity)) is in ~\(team) but was not given an address: \(reason.rawValue).
                    """,
                deduplicationKey: "member-refused|\(identity.userID)|\(domain.name)|\(reason.rawValue)")
            await notify(notice, report: &report)
        }
        let toMember = Notice(
            kind: .refusalToMember, recipients: [identity.email],
            subject: "Your community email address",
            body: """
                Hello \(identity.fullName ?? identity.nickname),

                We could not give you a community email address: \(reason.explanation).
                Once that is resolved, sign in again and your address will be created.
                """,
            deduplicationKey: "refusal-to-member|\(identity.userID)|\(reason.rawValue)")
        await notify(toMember, report: &report)
    }

    /// Reports an error to the alerts address, if one is configured.
    func alert(_ subject: String, _ body: String) async {
        guard let address = configuration.alertsAddress else { return }
        var ignored = UserSyncReport(userID: "")
        await notify(Notice(kind: .error, recipients: [address], subject: subject, body: body), report: &ignored)
    }

    private func describe(_ identity: MemberIdentity) -> String {
        if let name = identity.fullName, !name.isEmpty { return "\(name) <\(identity.email)>" }
        return "\(identity.nickname) <\(identity.email)>"
    }
}
