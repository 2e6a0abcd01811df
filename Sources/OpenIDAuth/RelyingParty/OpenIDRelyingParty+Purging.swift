import CommunityMailSystem
import Foundation
import Synchronization

/// When the relying party last purged its stores; shared by copies of one relying party.
final class PurgeSchedule: Sendable {
    private let lastPurge = Mutex<Date?>(nil)

    /// True (and the purge is booked for `now`) when none ran in the last `interval` seconds.
    func claim(at now: Date, interval: TimeInterval) -> Bool {
        lastPurge.withLock { last in
            if let last, now.timeIntervalSince(last) < interval, now >= last { return false }
            last = now
            return true
        }
    }
}

extension OpenIDRelyingParty {
    /// Drops expired associations, discovery results and nonces, at most once per
    /// ``Configuration/purgeInterval``; `begin` and `complete` call it. The stores' own size
    /// limits bound them between purges.
    func purgeExpiredStateIfDue() async {
        let now = clock.now()
        guard purgeSchedule.claim(at: now, interval: configuration.purgeInterval) else { return }
        do {
            try await associations.removeExpiredAssociations(at: now)
            try await discoveryCache.removeExpiredEntries(at: now)
            try await nonces.removeExpiredNonces(before: now.addingTimeInterval(-configuration.nonceSkew))
        } catch {
            log("purging expired state failed (\(error.kind))")
        }
    }
}
