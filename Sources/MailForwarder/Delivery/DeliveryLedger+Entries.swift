import Foundation

extension DeliveryLedger {
    /// The ledger's table: entries by fingerprint and their order of first record, so the
    /// oldest can be found for expiry and eviction. Pure: the caller passes the time.
    struct Entries {
        struct Entry {
            var recipients: Set<RecipientTag>
            let recordedAt: Date
            let sequence: UInt64
        }

        let maximumEntries: Int
        let timeToLive: TimeInterval
        private var table: [Fingerprint: Entry] = [:]
        /// Fingerprints in the order first recorded, with the sequence number of that
        /// record: an item whose entry is gone or has another sequence number is stale
        /// (the message was forgotten, perhaps recorded again) and is skipped.
        private var order: [(fingerprint: Fingerprint, sequence: UInt64)] = []
        private var head = 0
        private var nextSequence: UInt64 = 0

        init(maximumEntries: Int, timeToLive: TimeInterval) {
            self.maximumEntries = maximumEntries
            self.timeToLive = timeToLive
        }

        var count: Int { table.count }

        /// The recipients recorded for `fingerprint`, unless it has expired.
        func recipients(of fingerprint: Fingerprint, now: Date) -> Set<RecipientTag>? {
            guard let entry = table[fingerprint], !isExpired(entry, now: now) else { return nil }
            return entry.recipients
        }

        /// Adds `tags` to `fingerprint`'s entry, or makes one (evicting the oldest when full).
        mutating func insert(_ tags: Set<RecipientTag>, for fingerprint: Fingerprint, now: Date) {
            if var entry = table[fingerprint], !isExpired(entry, now: now) {
                entry.recipients.formUnion(tags)
                table[fingerprint] = entry
                return
            }
            table[fingerprint] = nil
            while table.count >= maximumEntries, removeOldest(onlyIfExpiredAt: nil) {}
            table[fingerprint] = Entry(recipients: tags, recordedAt: now, sequence: nextSequence)
            order.append((fingerprint, nextSequence))
            nextSequence += 1
            compact()
        }

        /// Drops `tags` from `fingerprint`'s entry, and the entry when none is left (its place
        /// in the order goes stale).
        mutating func remove(_ tags: Set<RecipientTag>, from fingerprint: Fingerprint) {
            guard var entry = table[fingerprint] else { return }
            entry.recipients.subtract(tags)
            table[fingerprint] = entry.recipients.isEmpty ? nil : entry
            compact()
        }

        /// Drops the entries whose time to live has passed, oldest first.
        mutating func expire(now: Date) {
            while removeOldest(onlyIfExpiredAt: now) {}
            compact()
        }

        func isExpired(_ entry: Entry, now: Date) -> Bool { now.timeIntervalSince(entry.recordedAt) >= timeToLive }

        /// Removes the oldest live entry (only if expired at `now`, when given); false when
        /// there is none to remove.
        private mutating func removeOldest(onlyIfExpiredAt now: Date?) -> Bool {
            while head < order.count {
                let (fingerprint, sequence) = order[head]
                guard let entry = table[fingerprint], entry.sequence == sequence else {
                    head += 1
                    continue
                }
                if let now, !isExpired(entry, now: now) { return false }
                table[fingerprint] = nil
                head += 1
                return true
            }
            return false
        }

        /// Keeps the order array proportional to the table: consumed items are dropped, and
        /// when stale items (from forgotten messages) outnumber live ones it is rebuilt.
        private mutating func compact() {
            if head > 0, head * 2 >= order.count {
                order.removeFirst(head)
                head = 0
            }
            if order.count - head > 2 * table.count + 64 {
                order = table.map { ($0.key, $0.value.sequence) }.sorted { $0.sequence < $1.sequence }
                head = 0
            }
        }
    }
}
