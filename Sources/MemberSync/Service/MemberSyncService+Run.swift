import AliasStore
import CommunityMailSystem
import Foundation

extension MemberSyncService {
    /// Re-syncs every stored user against one fresh members map.
    ///
    /// Users are synced concurrently (at most ``Configuration/maximumConcurrentUsers``), but
    /// changes to one domain are made one at a time. A transient failure (Launchpad or
    /// the network not answering, a busy database) aborts the run, which is retried with
    /// a new map up to ``Configuration/runAttempts`` times; any other failure of one user is
    /// reported and the run goes on. Which failures are transient is each module's own
    /// answer (`isTransientFailure`: `LaunchpadError`, `AliasStoreError`, ... classify
    /// themselves); the wait between attempts is on the service's clock.
    /// - Throws: ``MemberSyncError/runFailed`` when every attempt failed.
    public func syncAll() async throws -> SyncRunReport {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let map = try await buildMembersMap()
                var report = try await run(with: map)
                report.attempts = attempt
                for (userID, message) in report.errors.sorted(by: { $0.key < $1.key }) {
                    await alert("Member sync could not sync \(userID)", message)
                }
                return report
            } catch let error where error.isTransientFailure && attempt < configuration.runAttempts {
                try await clock.sleep(for: configuration.runRetryDelay)
            } catch {
                let failure = MemberSyncError.runFailed.with(
                    message: "the member sync run failed after \(attempt) attempt(s): \(error)", cause: error)
                await alert("Member sync run failed", failure.message)
                throw failure
            }
        }
    }

    /// The users a run looks after: everyone in a mapped team, and every stored user who
    /// holds something the sync gave (a provisioned alias, or a plain membership of a
    /// mapped domain). Users the sync has no tie to, such as admins set up by hand who are
    /// not in any team, are left alone.
    func managedUsers(map: MembersMap) async throws -> [User] {
        let everyone = map.everyone
        let domains = try await aliases.domains().filter { configuration.mapping.team(for: $0.name) != nil }
        var managed: [User] = []
        for user in try await aliases.users() {
            if everyone.contains(user.id) {
                managed.append(user)
            } else if domains.contains(where: { $0.role(of: user.id) == .user }) {
                managed.append(user)
            } else if try await aliases.aliases(owner: user.id).contains(where: { $0.provisionedBy == actor }) {
                managed.append(user)
            }
        }
        return managed
    }

    /// One pass over the managed users with `map`.
    func run(with map: MembersMap) async throws -> SyncRunReport {
        let users = try await managedUsers(map: map)
        var reports: [String: UserSyncReport] = [:]
        var errors: [String: String] = [:]
        try await withThrowingTaskGroup(of: UserOutcome.self) { group in
            var pending = users[...]
            func startNext() {
                guard let user = pending.popFirst() else { return }
                group.addTask {
                    // Re-synced by the stored name: Launchpad person entries carry no OpenID
                    // identifier, so a renamed account is a 404 here ("gone") until its owner
                    // signs in under the new name, which moves the record.
                    let identity = MemberIdentity(
                        nickname: user.id, email: user.email, claimedID: user.claimedIdentifier, locale: user.locale)
                    do {
                        return UserOutcome(userID: user.id, report: try await sync(identity, with: map, listed: user), error: nil)
                    } catch {
                        return UserOutcome(userID: user.id, report: nil, error: error)
                    }
                }
            }
            for _ in 0..<max(1, configuration.maximumConcurrentUsers) { startNext() }
            while let outcome = try await group.next() {
                if let report = outcome.report {
                    reports[outcome.userID] = report
                } else if let error = outcome.error {
                    if error.isTransientFailure {
                        group.cancelAll()
                        throw error
                    }
                    errors[outcome.userID] = String(describing: error)
                }
                startNext()
            }
        }
        return SyncRunReport(mapBuiltAt: map.builtAt, attempts: 1, users: reports, errors: errors)
    }
}

/// What syncing one user in a run produced: a report, or the error that stopped it.
struct UserOutcome: Sendable {
    let userID: String
    let report: UserSyncReport?
    let error: (any Error)?
}
