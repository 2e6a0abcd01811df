import CommunityMailSQL

extension MailboxSchema {
    /// How many bodies migration 2 reads per statement: each body's bytes are dropped once
    /// its size is taken, so memory holds one body and this many sizes at a time.
    static let sizeMigrationBatch = 500

    /// Migration 2: every message's size in RFC 5322 form (``MessageSize``), computed once
    /// per stored body (copies share one) over its bytes, in batches of bodies read in id
    /// order; then the quota's byte count summed again. A message whose body has no stored
    /// bytes keeps its size. Runs inside the migration's transaction (the first open after
    /// an upgrade, which is a member's LOGIN).
    @Sendable static func recomputeSizes(_ database: SQLiteConnection) throws {
        var after = Int64.min
        var rowsRead = sizeMigrationBatch
        while rowsRead == sizeMigrationBatch {
            rowsRead = 0
            var sizes: [(body: Int64, size: Int)] = []
            sizes.reserveCapacity(sizeMigrationBatch)
            do {
                // CAST: a value stored as TEXT counts its bytes, as a BLOB does.
                let read = try database.prepare("SELECT id, CAST(raw AS BLOB) FROM contents WHERE id > ? ORDER BY id LIMIT ?")
                defer { read.reset() }
                try read.bind([after, sizeMigrationBatch])
                while try read.step() {
                    rowsRead += 1
                    guard let body = read.value(at: 0).integerValue else { continue }
                    after = body
                    guard let bytes = read.value(at: 1).blobValue else { continue }
                    sizes.append((body, MessageSize.inRFC5322Form(bytes)))
                }
            }
            for (body, size) in sizes {
                try database.run("UPDATE messages SET size = ? WHERE body_id = ?", [size, body])
            }
        }
        try database.run("UPDATE mailbox_meta SET value = (SELECT coalesce(sum(size), 0) FROM messages) WHERE key = 'bytes'")
    }
}
