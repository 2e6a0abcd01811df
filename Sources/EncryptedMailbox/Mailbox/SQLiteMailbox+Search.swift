import CommunityMailSQL
import Foundation

extension SQLiteMailbox {
    /// Searches a folder: the query becomes one SQL WHERE clause over the message, its
    /// indexed header fields and the FTS5 body index.
    public func search(_ query: SearchQuery, in folder: String) async throws -> [UInt32] {
        try await database(writing: false) { [self] database in
            let target = try self.folder(folder, in: database)
            let (sql, bindings) = Self.searchStatement(query, folderID: target.id, largest: try Self.largestUID(in: target, database))
            return try database.query(sql, bindings).map { UInt32(truncatingIfNeeded: $0[0].integerValue ?? 0) }
        }
    }

    /// The one statement a search runs, and its parameters.
    static func searchStatement(_ query: SearchQuery, folderID: Int64, largest: UInt32) -> (sql: String, bindings: [SQLiteValue]) {
        var bindings: [SQLiteValue] = [.integer(folderID)]
        let condition = Self.condition(query, folderID: folderID, largest: largest, bindings: &bindings)
        return ("SELECT m.uid FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.folder_id = ? AND (\(condition)) ORDER BY m.uid", bindings)
    }

    /// The SQL for `query`, appending its parameters to `bindings`. Values are always bound,
    /// never spliced into the SQL text. The recursion is as deep as the query, which
    /// `SearchQuery` bounds (`maximumDepth`), and so is the nesting of the SQL.
    static func condition(_ query: SearchQuery, folderID: Int64, largest: UInt32, bindings: inout [SQLiteValue]) -> String {
        func bind(_ value: SQLiteValue) -> String {
            bindings.append(value)
            return "?"
        }
        func column(_ field: SearchQuery.HeaderField) -> String {
            switch field {
            case .from: "b.from_fold"
            case .to: "b.to_fold"
            case .cc: "b.cc_fold"
            case .subject: "b.subject_fold"
            case .messageID: "b.message_id_fold"
            }
        }
        func body(_ text: String) -> String {
            let words = SearchQuery.words(text)
            guard !words.isEmpty else { return "1" }
            // Each word quoted: FTS5 query syntax in the words cannot change the query.
            let match = words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " ")
            return "m.body_id IN (SELECT rowid FROM body_text WHERE body_text MATCH \(bind(.text(match))))"
        }
        switch query.node {
        case .all:
            return "1"
        case .header(let field, let text):
            return "instr(\(column(field)), \(bind(.text(SearchQuery.fold(text))))) > 0"
        case .headerField(let name, let text):
            return "EXISTS (SELECT 1 FROM header_fields h WHERE h.body_id = b.id AND h.name = \(bind(.text(name.lowercased()))) "
                + "AND instr(h.value_fold, \(bind(.text(SearchQuery.fold(text))))) > 0)"
        case .body(let text):
            return body(text)
        case .text(let text):
            let headers = [SearchQuery.HeaderField.from, .to, .cc, .subject].map {
                "instr(\(column($0)), \(bind(.text(SearchQuery.fold(text))))) > 0"
            }
            return "(" + (headers + [body(text)]).joined(separator: " OR ") + ")"
        case .sentBefore(let date):
            return "(b.date IS NOT NULL AND b.date < \(bind(.integer(MailboxRules.seconds(date)))))"
        case .sentSince(let date):
            return "(b.date IS NOT NULL AND b.date >= \(bind(.integer(MailboxRules.seconds(date)))))"
        case .receivedBefore(let date):
            return "m.internal_date < \(bind(.integer(MailboxRules.seconds(date))))"
        case .receivedSince(let date):
            return "m.internal_date >= \(bind(.integer(MailboxRules.seconds(date))))"
        case .flags(let flags):
            let bits = Int64(flags.rawValue)
            return "(m.flags & \(bind(.integer(bits)))) = \(bind(.integer(bits)))"
        case .keyword(let keyword):
            // Keywords are ASCII atoms, so SQL's ASCII lower() folds them as Swift does.
            return "instr(' ' || lower(m.keywords) || ' ', \(bind(.text(" \(keyword.lowercased()) ")))) > 0"
        case .larger(let size):
            return "m.size > \(bind(.integer(Int64(size))))"
        case .smaller(let size):
            return "m.size < \(bind(.integer(Int64(size))))"
        case .uids(let set):
            let ranges = set.resolved(largest: largest)
            guard !ranges.isEmpty else { return "0" }
            if ranges.count > maximumInlineUIDRanges {
                // A long set is one bound JSON list: neither thousands of parameters nor an
                // OR chain deeper than SQLite's expression limit. The subquery names no
                // column of `m`, so SQLite runs it once, and CROSS JOIN keeps the ranges
                // outer: each range is one search of the (folder_id, uid) index. (A
                // correlated subquery ran once per message: messages x ranges.)
                let list = "[" + ranges.map { "[\($0.lowerBound),\($0.upperBound)]" }.joined(separator: ",") + "]"
                return "m.id IN (SELECT u.id FROM json_each(\(bind(.text(list)))) r CROSS JOIN messages u "
                    + "ON u.folder_id = \(bind(.integer(folderID))) "
                    + "AND u.uid BETWEEN json_extract(r.value, '$[0]') AND json_extract(r.value, '$[1]'))"
            }
            return "(" + ranges.map { "m.uid BETWEEN \(bind(.integer(Int64($0.lowerBound)))) AND \(bind(.integer(Int64($0.upperBound))))" }
                .joined(separator: " OR ") + ")"
        case .hasAttachment:
            return "b.has_attachment = 1"
        case .modSeqAtLeast(let modSeq):
            return "m.modseq >= \(bind(.integer(Int64(clamping: modSeq))))"
        case .and(let queries):
            guard !queries.isEmpty else { return "1" }
            return "(" + queries.map { condition($0, folderID: folderID, largest: largest, bindings: &bindings) }.joined(separator: " AND ") + ")"
        case .or(let queries):
            guard !queries.isEmpty else { return "0" }
            return "(" + queries.map { condition($0, folderID: folderID, largest: largest, bindings: &bindings) }.joined(separator: " OR ") + ")"
        case .not(let inner):
            return "NOT (\(condition(inner, folderID: folderID, largest: largest, bindings: &bindings)))"
        }
    }

    /// The most UID ranges a search writes into its SQL one by one; longer sets go as one list.
    static let maximumInlineUIDRanges = 16

    /// Conversations in a folder.
    public func threads(in folder: String) async throws -> [[UInt32]] {
        try await database(writing: false) { [self] database in
            let target = try self.folder(folder, in: database)
            let inputs = try database.query(
                """
                SELECT m.uid, b.message_id, b.in_reply_to, b.reference_ids FROM messages m JOIN bodies b ON b.id = m.body_id
                WHERE m.folder_id = ? ORDER BY m.uid
                """, [target.id]
            ).map { row in
                MessageThreader.Input(
                    uid: UInt32(truncatingIfNeeded: row[0].integerValue ?? 0), messageID: row[1].textValue,
                    inReplyTo: Self.lines(row[2]),
                    references: Self.lines(row[3]))
            }
            return MessageThreader.threads(inputs)
        }
    }
}
