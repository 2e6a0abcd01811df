/// The extensions a client turned on for its session: with ENABLE (RFC 5161) or, for
/// CONDSTORE, with any CONDSTORE-enabling command (RFC 7162 section 3.1).
struct IMAPEnabledExtensions: Sendable, Hashable {
    /// CONDSTORE: MODSEQ in FETCH responses that carry FLAGS, HIGHESTMODSEQ at SELECT.
    var condStore = false
    /// QRESYNC (implies CONDSTORE): VANISHED instead of EXPUNGE, CLOSED, SELECT (QRESYNC ...).
    var qresync = false
    /// UTF8=ACCEPT (RFC 6855): UTF-8 mailbox names.
    var utf8Accept = false
    /// IMAP4rev2 (RFC 9051): no RECENT, LIST at SELECT, ESEARCH for SEARCH, UTF-8 names.
    var imap4rev2 = false
}
