/// How looking up a DKIM key record ended (RFC 6376 §3.6.2.2, §6.1.2).
public enum DKIMKeyLookup: Sendable {
    /// One record, parsed.
    case found(DKIMKeyRecord)
    /// No record: the name does not exist or has no TXT record (a permanent "no key"
    /// failure for the signature).
    case notFound
    /// The lookup could not complete (timeout, server failure): try again later.
    case temporaryFailure
    /// Several TXT records at the name: RFC 6376 leaves the result undefined; this library
    /// treats the key as unusable (a permanent failure).
    case multipleRecords
    /// The record does not parse (the error says why, without the record's text).
    case malformed(MailAuthError)
}
