public import Foundation

/// A search over one folder: the criteria of IMAP SEARCH (RFC 3501 section 6.4.4) that an
/// index can answer, combined with AND, OR and NOT. Text matching is case-insensitive.
///
/// A query is a tree whose size and depth are bounded when it is built: ``and(_:)``,
/// ``or(_:)`` and ``not(_:)`` throw `MailboxError.invalidQuery` rather than make a query
/// deeper than ``maximumDepth`` or with more than ``maximumSize`` criteria and combinations. So no query
/// value, however it was made, can exhaust a stack when it is searched, compared, hashed,
/// printed or freed, and every query fits the SQL the real mailbox sends to SQLite.
public struct SearchQuery: Sendable, Hashable {
    /// An indexed header field.
    public enum HeaderField: String, Sendable, Hashable, CaseIterable {
        /// The decoded `From:` value.
        case from
        /// The decoded `To:` value.
        case to
        /// The decoded `Cc:` value.
        case cc
        /// The decoded `Subject:` value.
        case subject
        /// The `Message-ID:` id.
        case messageID = "msgid"
    }

    /// The deepest a query nests: a single criterion is 1 deep, and each AND, OR or NOT
    /// around it adds 1. Sixteen levels leave room in SQLite's parser stack for the SQL
    /// the real mailbox builds (it overflows at about 30 levels of parentheses).
    public static let maximumDepth = 16
    /// The most criteria and combinations (each AND, OR and NOT counts 1) one query holds.
    /// Keeps the real mailbox's SQL within SQLite's expression depth (1,000) and its bound
    /// parameters (32,766).
    public static let maximumSize = 500

    /// One criterion or combination; the tree below a ``SearchQuery``.
    indirect enum Node: Sendable, Hashable {
        case all
        case header(HeaderField, String)
        case headerField(String, String)
        case body(String)
        case text(String)
        case sentBefore(Date)
        case sentSince(Date)
        case receivedBefore(Date)
        case receivedSince(Date)
        case flags(MessageFlags)
        case keyword(String)
        case larger(Int)
        case smaller(Int)
        case uids(UIDSet)
        case hasAttachment
        case modSeqAtLeast(UInt64)
        case and([SearchQuery])
        case or([SearchQuery])
        case not(SearchQuery)
    }

    /// What this query asks.
    let node: Node
    /// How deeply the query nests: 1 for a single criterion.
    public let depth: Int
    /// How many criteria and combinations the query holds: 1 for a single criterion.
    public let size: Int

    private init(_ node: Node, depth: Int = 1, size: Int = 1) {
        self.node = node
        self.depth = depth
        self.size = size
    }

    /// Every message.
    public static let all = SearchQuery(.all)
    /// The header field contains the text (substring, case-insensitive).
    public static func header(_ field: HeaderField, _ text: String) -> SearchQuery { SearchQuery(.header(field, text)) }
    /// The message has a header field of this name (case-insensitive) whose decoded value
    /// contains the text (substring, case-insensitive; empty text: any such field), IMAP
    /// SEARCH HEADER.
    public static func headerField(_ name: String, _ text: String) -> SearchQuery { SearchQuery(.headerField(name, text)) }
    /// The body's text (decoded text/plain and text/html parts) has every word of the
    /// text (whole words, case-insensitive, any order; SQLite FTS5 in the real mailbox).
    public static func body(_ text: String) -> SearchQuery { SearchQuery(.body(text)) }
    /// The text is in From, To, Cc or Subject, or its words are in the body (IMAP TEXT).
    public static func text(_ text: String) -> SearchQuery { SearchQuery(.text(text)) }
    /// The `Date:` header is before this instant (messages without one never match).
    public static func sentBefore(_ date: Date) -> SearchQuery { SearchQuery(.sentBefore(date)) }
    /// The `Date:` header is at or after this instant.
    public static func sentSince(_ date: Date) -> SearchQuery { SearchQuery(.sentSince(date)) }
    /// The internal date is before this instant.
    public static func receivedBefore(_ date: Date) -> SearchQuery { SearchQuery(.receivedBefore(date)) }
    /// The internal date is at or after this instant.
    public static func receivedSince(_ date: Date) -> SearchQuery { SearchQuery(.receivedSince(date)) }
    /// Every one of these flags is set.
    public static func flags(_ flags: MessageFlags) -> SearchQuery { SearchQuery(.flags(flags)) }
    /// The keyword is set (case-insensitive, as IMAP keywords are).
    public static func keyword(_ keyword: String) -> SearchQuery { SearchQuery(.keyword(keyword)) }
    /// Larger than this many bytes.
    public static func larger(_ size: Int) -> SearchQuery { SearchQuery(.larger(size)) }
    /// Smaller than this many bytes.
    public static func smaller(_ size: Int) -> SearchQuery { SearchQuery(.smaller(size)) }
    /// The UID is in the set.
    public static func uids(_ set: UIDSet) -> SearchQuery { SearchQuery(.uids(set)) }
    /// The message has an attachment.
    public static let hasAttachment = SearchQuery(.hasAttachment)
    /// The message's MODSEQ is at least this (RFC 7162 MODSEQ criterion).
    public static func modSeqAtLeast(_ modSeq: UInt64) -> SearchQuery { SearchQuery(.modSeqAtLeast(modSeq)) }

    /// All of these match (an empty list matches everything).
    /// - Throws: `MailboxError.invalidQuery` past ``maximumDepth`` or ``maximumSize``.
    public static func and(_ queries: [SearchQuery]) throws(MailboxError) -> SearchQuery {
        try combining(queries, into: Node.and)
    }

    /// Any of these matches (an empty list matches nothing).
    /// - Throws: `MailboxError.invalidQuery` past ``maximumDepth`` or ``maximumSize``.
    public static func or(_ queries: [SearchQuery]) throws(MailboxError) -> SearchQuery {
        try combining(queries, into: Node.or)
    }

    /// The query does not match.
    /// - Throws: `MailboxError.invalidQuery` past ``maximumDepth``.
    public static func not(_ query: SearchQuery) throws(MailboxError) -> SearchQuery {
        try combining([query]) { .not($0[0]) }
    }

    private static func combining(_ queries: [SearchQuery], into node: ([SearchQuery]) -> Node) throws(MailboxError) -> SearchQuery {
        let depth = 1 + (queries.map(\.depth).max() ?? 0)
        guard depth <= maximumDepth else {
            throw MailboxError.invalidQuery.with(message: "the query nests deeper than \(maximumDepth) levels")
        }
        // Each part is within the limit, so the sum cannot overflow before the check.
        var size = 1
        for query in queries {
            size += query.size
            guard size <= maximumSize else {
                throw MailboxError.invalidQuery.with(message: "the query has more than \(maximumSize) criteria and combinations")
            }
        }
        return SearchQuery(node(queries), depth: depth, size: size)
    }
}

extension SearchQuery {
    /// The words of `text` as the body index sees them: runs of letters and digits, lowercased.
    /// Both mailbox implementations use this, and the FTS5 tokenizer splits the same way.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }

    /// Text folded for substring matching: lowercased.
    static func fold(_ text: String) -> String { text.lowercased() }
}
