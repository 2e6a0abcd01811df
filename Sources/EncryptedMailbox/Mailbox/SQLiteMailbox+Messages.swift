import CommunityMailMessage
import CommunityMailSQL
public import Foundation

extension SQLiteMailbox {
    /// Appends a message; the parsing happens before the actor is entered, so appends
    /// from several tasks parse in parallel and only the insert is serialized.
    @discardableResult
    public nonisolated func append(
        _ message: [UInt8], to folder: String, flags: MessageFlags, keywords: [String], internalDate: Date
    ) async throws -> AppendedMessage {
        try await append(contentsOf: [MessageToAppend(message, flags: flags, keywords: keywords, internalDate: internalDate)], to: folder)[0]
    }

    /// Appends messages atomically, in one transaction; parsed before the actor is entered.
    @discardableResult
    public nonisolated func append(contentsOf messages: [MessageToAppend], to folder: String) async throws -> [AppendedMessage] {
        let prepared = try messages.map { (message) throws(MailboxError) in
            (
                message, try MailboxRules.canonicalKeywords(message.keywords), ParsedMessage(indexing: message.content),
                MessageSize.inRFC5322Form(message.content)
            )
        }
        return try await insert(prepared, to: folder)
    }

    /// Inserts parsed messages, each with its size in RFC 5322 form.
    private func insert(_ messages: [(MessageToAppend, [String], ParsedMessage, Int)], to folder: String) async throws -> [AppendedMessage] {
        let (_, appended) = try await change(events: { (name, appended) in
            appended.isEmpty ? [] : [.messagesAdded(folder: name, uids: appended.map(\.uid))]
        }) { [self] database in
            var target = try self.folder(folder, in: database)
            try MailboxRules.checkMessageSizes(configuration.quota, messages.map(\.0.content.count))
            try checkQuota(database, addingBytes: messages.reduce(0) { $0 + $1.3 }, addingMessages: messages.count)
            try MailboxRules.checkUIDSpace(target.uidNext, adding: messages.count)
            var appended: [AppendedMessage] = []
            for (message, keywords, parsed, size) in messages {
                let envelope = parsed.envelope
                try database.run(
                    """
                    INSERT INTO bodies(header_length, date, from_text, to_text, cc_text, subject, message_id, in_reply_to,
                        reference_ids, has_attachment, from_fold, to_fold, cc_fold, subject_fold, message_id_fold)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        parsed.headerLength, envelope.date.map(MailboxRules.seconds), envelope.from, envelope.to, envelope.cc,
                        envelope.subject, envelope.messageID, envelope.inReplyTo.joined(separator: "\n"),
                        envelope.references.joined(separator: "\n"), envelope.hasAttachment, SearchQuery.fold(envelope.from),
                        SearchQuery.fold(envelope.to), SearchQuery.fold(envelope.cc), SearchQuery.fold(envelope.subject),
                        SearchQuery.fold(envelope.messageID ?? ""),
                    ])
                let bodyID = database.lastInsertRowID
                try database.run("INSERT INTO contents(id, raw) VALUES (?, ?)", [bodyID, message.content])
                try database.run("INSERT INTO body_text(rowid, text) VALUES (?, ?)", [bodyID, parsed.bodyText])
                for (position, field) in parsed.headerFields.enumerated() {
                    try database.run(
                        "INSERT INTO header_fields(body_id, position, name, value_fold) VALUES (?, ?, ?, ?)",
                        [bodyID, position, field.name, field.value])
                }
                let modSeq = try Self.nextModSeq(database)
                try database.run(
                    """
                    INSERT INTO messages(folder_id, uid, body_id, flags, keywords, internal_date, modseq, size)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        target.id, Int64(target.uidNext), bodyID, message.flags.intersection(.all).rawValue,
                        keywords.joined(separator: " "), MailboxRules.seconds(message.internalDate), Int64(modSeq), size,
                    ])
                appended.append(AppendedMessage(uidValidity: target.uidValidity, uid: target.uidNext, modSeq: modSeq))
                target.uidNext += 1
            }
            if let last = appended.last {
                try database.run("UPDATE folders SET uid_next = ?, highest_modseq = ? WHERE id = ?", [Int64(target.uidNext), Int64(last.modSeq), target.id])
            }
            return (target.name, appended)
        }
        return appended
    }

    nonisolated func checkQuota(_ database: SQLiteConnection, addingBytes bytes: Int, addingMessages messages: Int) throws {
        let quota = configuration.quota
        guard quota.maxBytes != nil || quota.maxMessages != nil else { return }
        let used = try Self.used(database)
        try MailboxRules.checkQuota(
            quota, usedBytes: used.bytes, usedMessages: used.messages, addingBytes: bytes, addingMessages: messages)
    }

    /// The keywords column: space-separated, as stored.
    static func keywords(_ column: SQLiteValue) -> [String] {
        (column.textValue ?? "").split(separator: " ").map(String.init)
    }

    /// The resolved UID ranges of `uids` in `folder`.
    nonisolated func ranges(_ uids: UIDSet, in folder: SQLiteMailbox.FolderRow, _ database: SQLiteConnection) throws -> [ClosedRange<UInt32>] {
        uids.resolved(largest: try Self.largestUID(in: folder, database))
    }

    /// The folder's largest UID in use (what `*` means), 0 when it is empty.
    static func largestUID(in folder: SQLiteMailbox.FolderRow, _ database: SQLiteConnection) throws -> UInt32 {
        let largest = try database.queryFirst("SELECT max(uid) FROM messages WHERE folder_id = ?", [folder.id])?[0].integerValue ?? 0
        return UInt32(truncatingIfNeeded: largest)
    }

    /// Fetches messages.
    public func fetch(_ uids: UIDSet, in folder: String, content: FetchContent) async throws -> [FetchedMessage] {
        try await database(writing: false) { [self] database in
            let source = try self.folder(folder, in: database)
            let contentColumn =
                switch content {
                case .metadata: "NULL"
                case .header: "(SELECT substr(c.raw, 1, b.header_length) FROM contents c WHERE c.id = b.id)"
                case .text: "(SELECT substr(c.raw, b.header_length + 1) FROM contents c WHERE c.id = b.id)"
                case .whole: "(SELECT c.raw FROM contents c WHERE c.id = b.id)"
                }
            let sql = """
                SELECT m.uid, m.flags, m.keywords, m.internal_date, m.modseq, m.size, b.date, b.from_text, b.to_text, b.cc_text,
                    b.subject, b.message_id, b.in_reply_to, b.reference_ids, b.has_attachment, \(contentColumn)
                FROM messages m JOIN bodies b ON b.id = m.body_id
                WHERE m.folder_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid
                """
            var result: [FetchedMessage] = []
            for range in try ranges(uids, in: source, database) {
                for row in try database.query(sql, [source.id, Int64(range.lowerBound), Int64(range.upperBound)]) {
                    result.append(Self.fetched(row, content: content))
                }
            }
            return result
        }
    }

    /// The sizes without envelopes or content: from the messages table alone (its
    /// (folder_id, uid) index walked once per range), joined to the bodies for headers.
    public func sizes(of uids: UIDSet, in folder: String, content: FetchContent) async throws -> [UInt32: Int] {
        try await database(writing: false) { [self] database in
            let source = try self.folder(folder, in: database)
            let column =
                switch content {
                case .metadata: "0"
                case .header: "(SELECT b.header_length FROM bodies b WHERE b.id = m.body_id)"
                case .text, .whole: "m.size"
                }
            let statement = try database.prepare("SELECT m.uid, \(column) FROM messages m WHERE m.folder_id = ? AND m.uid BETWEEN ? AND ?")
            defer { statement.reset() }
            var sizes: [UInt32: Int] = [:]
            for range in try ranges(uids, in: source, database) {
                try statement.bind([source.id, Int64(range.lowerBound), Int64(range.upperBound)])
                while try statement.step() {
                    sizes[UInt32(truncatingIfNeeded: statement.integer(at: 0))] = Int(clamping: statement.integer(at: 1))
                }
            }
            return sizes
        }
    }

    /// A column of newline-separated values (In-Reply-To, References), as stored.
    static func lines(_ value: SQLiteValue) -> [String] {
        guard let text = value.textValue, !text.isEmpty else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    private static func fetched(_ row: SQLiteRow, content: FetchContent) -> FetchedMessage {
        let envelope = MessageEnvelope(
            date: row[6].integerValue.map { Date(timeIntervalSince1970: TimeInterval($0)) }, from: row[7].textValue ?? "",
            to: row[8].textValue ?? "", cc: row[9].textValue ?? "", subject: row[10].textValue ?? "", messageID: row[11].textValue,
            inReplyTo: lines(row[12]), references: lines(row[13]), hasAttachment: row[14].integerValue == 1)
        let keywords = Self.keywords(row[2])
        return FetchedMessage(
            uid: UInt32(truncatingIfNeeded: row[0].integerValue ?? 0), flags: MessageFlags(rawValue: Int(row[1].integerValue ?? 0)),
            keywords: keywords, internalDate: Date(timeIntervalSince1970: TimeInterval(row[3].integerValue ?? 0)),
            modSeq: UInt64(row[4].integerValue ?? 0), size: Int(row[5].integerValue ?? 0), envelope: envelope,
            content: content == .metadata ? nil : (row[15].blobValue ?? []))
    }

    /// The rows of the messages in `uids`: (uid, flags, keywords, modseq, size, body id, internal date).
    private nonisolated func selected(_ uids: UIDSet, in folder: FolderRow, _ database: SQLiteConnection) throws -> [SQLiteRow] {
        var rows: [SQLiteRow] = []
        for range in try ranges(uids, in: folder, database) {
            rows += try database.query(
                """
                SELECT uid, flags, keywords, modseq, size, body_id, internal_date FROM messages
                WHERE folder_id = ? AND uid BETWEEN ? AND ? ORDER BY uid
                """, [folder.id, Int64(range.lowerBound), Int64(range.upperBound)])
        }
        return rows
    }

    /// Changes flags and keywords.
    public func store(_ operation: FlagOperation, on uids: UIDSet, in folder: String, unchangedSince: UInt64?) async throws -> StoreResult {
        let (_, result) = try await change(events: { (name, result) in
            result.changed.isEmpty ? [] : [.flagsChanged(folder: name, changes: result.changed)]
        }) { [self] database in
            let target = try self.folder(folder, in: database)
            var changed: [MessageChange] = []
            var modified: [UInt32] = []
            var modSeq: UInt64?
            for row in try selected(uids, in: target, database) {
                let uid = UInt32(truncatingIfNeeded: row[0].integerValue ?? 0)
                let flags = MessageFlags(rawValue: Int(row[1].integerValue ?? 0))
                let keywords = Self.keywords(row[2])
                if let unchangedSince, UInt64(row[3].integerValue ?? 0) > unchangedSince {
                    modified.append(uid)
                    continue
                }
                let (newFlags, newKeywords) = try MailboxRules.apply(operation, to: flags, keywords: keywords)
                guard newFlags != flags || newKeywords != keywords else { continue }
                let stamp = try modSeq ?? Self.nextModSeq(database)
                modSeq = stamp
                try database.run(
                    "UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE folder_id = ? AND uid = ?",
                    [newFlags.rawValue, newKeywords.joined(separator: " "), Int64(stamp), target.id, Int64(uid)])
                changed.append(MessageChange(uid: uid, flags: newFlags, keywords: newKeywords, modSeq: stamp))
            }
            if let modSeq { try database.run("UPDATE folders SET highest_modseq = ? WHERE id = ?", [Int64(modSeq), target.id]) }
            return (target.name, StoreResult(changed: changed, modified: modified))
        }
        return result
    }

    /// Copies messages.
    public func copy(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages {
        try await transfer(uids, from: source, to: destination, removing: false)
    }

    /// Moves messages.
    public func move(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages {
        try await transfer(uids, from: source, to: destination, removing: true)
    }

    private func transfer(_ uids: UIDSet, from source: String, to destination: String, removing: Bool) async throws -> CopiedMessages {
        let transferred = try await change(events: { transferred in
            Self.transferEvents(transferred.copied, from: transferred.source, to: transferred.destination, removing: removing)
        }) { [self] database in
            try transferRows(uids, from: source, to: destination, removing: removing, database)
        }
        return transferred.copied
    }

    static func transferEvents(_ copied: CopiedMessages, from source: String, to destination: String, removing: Bool) -> [MailboxEvent] {
        guard !copied.sourceUIDs.isEmpty else { return [] }
        return [.messagesAdded(folder: destination, uids: copied.destinationUIDs)]
            + (removing ? [.messagesExpunged(folder: source, uids: copied.sourceUIDs)] : [])
    }

    /// Copies (and with `removing`, moves) rows inside the caller's transaction; returns
    /// them with both folders' canonical names.
    nonisolated func transferRows(
        _ uids: UIDSet, from source: String, to destination: String, removing: Bool, _ database: SQLiteConnection
    ) throws -> (copied: CopiedMessages, source: String, destination: String) {
        let from = try folder(source, in: database)
        var to = try folder(destination, in: database)
        let rows = try selected(uids, in: from, database)
        if !removing {
            try checkQuota(database, addingBytes: rows.reduce(0) { $0 + Int($1[4].integerValue ?? 0) }, addingMessages: rows.count)
        }
        guard !rows.isEmpty else {
            return (CopiedMessages(destinationUIDValidity: to.uidValidity, sourceUIDs: [], destinationUIDs: []), from.name, to.name)
        }
        try MailboxRules.checkUIDSpace(to.uidNext, adding: rows.count)
        let modSeq = Int64(try Self.nextModSeq(database))
        var sourceUIDs: [UInt32] = []
        var newUIDs: [UInt32] = []
        for row in rows {
            try database.run(
                """
                INSERT INTO messages(folder_id, uid, body_id, flags, keywords, internal_date, modseq, size)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [to.id, Int64(to.uidNext), row[5], row[1], row[2], row[6], modSeq, row[4]])
            sourceUIDs.append(UInt32(truncatingIfNeeded: row[0].integerValue ?? 0))
            newUIDs.append(to.uidNext)
            to.uidNext += 1
        }
        try database.run("UPDATE folders SET uid_next = ?, highest_modseq = ? WHERE id = ?", [Int64(to.uidNext), modSeq, to.id])
        if removing { try Self.remove(sourceUIDs, from: from.id, modSeq: modSeq, database) }
        return (CopiedMessages(destinationUIDValidity: to.uidValidity, sourceUIDs: sourceUIDs, destinationUIDs: newUIDs), from.name, to.name)
    }

    /// Deletes `uids` from the folder, records them as vanished at `modSeq` and raises the
    /// folder's highest MODSEQ to it.
    static func remove(_ uids: [UInt32], from folderID: Int64, modSeq: Int64, _ database: SQLiteConnection) throws {
        for uid in uids {
            try database.run("DELETE FROM messages WHERE folder_id = ? AND uid = ?", [folderID, Int64(uid)])
            try database.run("INSERT OR REPLACE INTO vanished(folder_id, uid, modseq) VALUES (?, ?, ?)", [folderID, Int64(uid), modSeq])
        }
        try database.run("UPDATE folders SET highest_modseq = ? WHERE id = ?", [modSeq, folderID])
    }

    /// Removes `\Deleted` messages.
    public func expunge(_ folder: String, uids: UIDSet?) async throws -> [UInt32] {
        let (_, removed) = try await change(events: { (name, removed) in
            removed.isEmpty ? [] : [.messagesExpunged(folder: name, uids: removed)]
        }) { [self] database -> (String, [UInt32]) in
            let target = try self.folder(folder, in: database)
            let removed = try selected(uids ?? .all, in: target, database).filter {
                MessageFlags(rawValue: Int($0[1].integerValue ?? 0)).contains(.deleted)
            }.map { UInt32(truncatingIfNeeded: $0[0].integerValue ?? 0) }
            guard !removed.isEmpty else { return (target.name, []) }
            try Self.remove(removed, from: target.id, modSeq: Int64(try Self.nextModSeq(database)), database)
            return (target.name, removed)
        }
        return removed
    }

    /// Changes after a MODSEQ.
    public func changes(in folder: String, since modSeq: UInt64) async throws -> FolderChanges {
        try await database(writing: false) { [self] database in
            let target = try self.folder(folder, in: database)
            let since = Int64(clamping: modSeq)
            // The MODSEQ index finds the few changed messages; the planner, without
            // statistics, would rather walk the whole folder in messages_state.
            let changed = try Self.messageStates(
                "SELECT uid, flags, keywords, modseq FROM messages INDEXED BY messages_by_modseq WHERE folder_id = ? AND modseq > ? ORDER BY uid",
                [target.id, since], database)
            let vanished = try database.query(
                "SELECT uid FROM vanished WHERE folder_id = ? AND modseq > ? ORDER BY uid", [target.id, since]
            ).map { UInt32(truncatingIfNeeded: $0[0].integerValue ?? 0) }
            return FolderChanges(changed: changed, vanished: vanished, highestModSeq: target.highestModSeq)
        }
    }

    /// The folder's status and every message's state in one read transaction and one walk
    /// of the (folder_id, uid) index, the counts taken from the rows read.
    public func snapshot(of folder: String) async throws -> FolderSnapshot {
        try await database(writing: false) { [self] database in
            let target = try self.folder(folder, in: database)
            let messages = try Self.messageStates("SELECT uid, flags, keywords, modseq FROM messages WHERE folder_id = ? ORDER BY uid", [target.id], database)
            var unseen = 0, recent = 0
            for message in messages {
                if !message.flags.contains(.seen) { unseen += 1 }
                if message.uid >= target.firstRecentUID { recent += 1 }
            }
            return FolderSnapshot(
                status: Self.status(target, count: messages.count, unseen: unseen, recent: recent), messages: messages)
        }
    }

    /// The rows of `sql` (uid, flags, keywords, modseq) read in one step loop, the integers
    /// straight from their columns and keywords split only when there are some.
    static func messageStates(_ sql: String, _ bindings: [any SQLiteBindable], _ database: SQLiteConnection) throws -> [MessageChange] {
        let statement = try database.prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var states: [MessageChange] = []
        while try statement.step() {
            let keywords = statement.nonEmptyText(at: 2).map { $0.split(separator: " ").map(String.init) } ?? []
            states.append(
                MessageChange(
                    uid: UInt32(truncatingIfNeeded: statement.integer(at: 0)), flags: MessageFlags(rawValue: Int(statement.integer(at: 1))),
                    keywords: keywords, modSeq: UInt64(clamping: statement.integer(at: 3))))
        }
        return states
    }
}
