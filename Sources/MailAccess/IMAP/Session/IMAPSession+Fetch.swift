extension IMAPSession {
    /// FETCH and UID FETCH: answered once IMAPFetchResponder is merged from imap/fetch.
    func fetch(
        _ set: IMAPSequenceSet, attributes: [IMAPFetchAttribute], modifiers: IMAPFetchModifiers, uid: Bool, writer: some IMAPResponseWriter
    ) async throws -> IMAPCommandOutcome {
        _ = try resolve(set, uid: uid, reportsExpunges: uid)
        return IMAPCommandOutcome(.no("FETCH is not available yet", code: .cannot), reportsExpunges: uid)
    }

    /// SEARCH and UID SEARCH: answered once IMAPSearchEvaluator is merged from imap/fetch.
    func search(_ search: IMAPSearchCommand, uid: Bool, tag: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        IMAPCommandOutcome(.no("SEARCH is not available yet", code: .cannot), reportsExpunges: uid)
    }
}
