import Foundation

/// A search over one folder: the criteria of IMAP SEARCH (RFC 3501 section 6.4.4) that an
/// index can answer, combined with AND, OR and NOT. Text matching is case-insensitive.
public indirect enum SearchQuery: Sendable, Hashable {
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

    /// Every message.
    case all
    /// The header field contains the text (substring, case-insensitive).
    case header(HeaderField, String)
    /// The message has a header field of this name (case-insensitive) whose decoded value
    /// contains the text (substring, case-insensitive; empty text: any such field), IMAP
    /// SEARCH HEADER.
    case headerField(String, String)
    /// The body's text (decoded text/plain and text/html parts) has every word of the
    /// text (whole words, case-insensitive, any order; SQLite FTS5 in the real mailbox).
    case body(String)
    /// The text is in From, To, Cc or Subject, or its words are in the body (IMAP TEXT).
    case text(String)
    /// The `Date:` header is before this instant (messages without one never match).
    case sentBefore(Date)
    /// The `Date:` header is at or after this instant.
    case sentSince(Date)
    /// The internal date is before this instant.
    case receivedBefore(Date)
    /// The internal date is at or after this instant.
    case receivedSince(Date)
    /// Every one of these flags is set.
    case flags(MessageFlags)
    /// The keyword is set (case-insensitive, as IMAP keywords are).
    case keyword(String)
    /// Larger than this many bytes.
    case larger(Int)
    /// Smaller than this many bytes.
    case smaller(Int)
    /// The UID is in the set.
    case uids(UIDSet)
    /// The message has an attachment.
    case hasAttachment
    /// The message's MODSEQ is at least this (RFC 7162 MODSEQ criterion).
    case modSeqAtLeast(UInt64)
    /// All of these match (an empty list matches everything).
    case and([SearchQuery])
    /// Any of these matches (an empty list matches nothing).
    case or([SearchQuery])
    /// The query does not match.
    case not(SearchQuery)
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
