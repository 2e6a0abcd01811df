/// A DKIM canonicalization algorithm (RFC 6376 §3.4), for header fields or for the body.
/// ARC signatures use the same two (RFC 8617 §4.1.2).
public enum Canonicalization: String, Sendable, Hashable, CaseIterable {
    /// Nothing changes but the line endings: the form most sensitive to rewriting.
    case simple
    /// Whitespace runs become one space, trailing whitespace goes, header names are
    /// lowercased and values unfolded: survives common rewriting in transit.
    case relaxed

    /// The header and body algorithms of a `c=` value (`relaxed/simple`; `relaxed` alone
    /// means `relaxed/simple`; absent means `simple/simple`).
    /// - Throws: ``MailAuthError/invalidRecord`` for an unknown algorithm or shape.
    static func pair(fromTagValue value: String?) throws(MailAuthError) -> (header: Canonicalization, body: Canonicalization) {
        guard let value else { return (.simple, .simple) }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
            let header = Canonicalization(rawValue: String(parts[0]).lowercased())
        else { throw .invalidRecord.with(message: "c= names an unknown canonicalization") }
        guard parts.count == 2 else { return (header, .simple) }
        guard let body = Canonicalization(rawValue: String(parts[1]).lowercased()) else {
            throw .invalidRecord.with(message: "c= names an unknown canonicalization")
        }
        return (header, body)
    }
}
