import EncryptedMailbox

extension IMAPSession {
    /// SEARCH and UID SEARCH through ``IMAPSearchEvaluator``: `* SEARCH` for IMAP4rev1
    /// without RETURN, ESEARCH with RETURN and always under IMAP4rev2 (RFC 9051 section
    /// 6.4.4: no RETURN means ALL). RETURN (SAVE) keeps the result for `$` (RFC 5182: only
    /// MIN and/or MAX when they are asked without ALL or COUNT; an empty set when the
    /// search fails); SAVE alone sends no ESEARCH. MODSEQ keys turn CONDSTORE on.
    func search(_ search: IMAPSearchCommand, uid: Bool, tag: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        let reportsExpunges = uid
        var command = search
        if extensions.imap4rev2, command.returnOptions == nil { command.returnOptions = [] }
        let options = command.returnOptions ?? []
        let saves = options.contains(.save)
        if IMAPSearchEvaluator.hasModSeq(command.key) { try await enableCondStore(writer: writer) }
        var evaluator = IMAPSearchEvaluator(mailbox: mailbox, folder: folder.name, uids: folder.sequence.uids, savedResult: savedSearchResult)
        // RECENT, NEW and OLD (IMAP4rev1): this session's \Recent messages; none under IMAP4rev2.
        if tracksRecent, !folder.recent.isEmpty {
            evaluator.recentUIDs = Set(folder.recent.uids(among: folder.sequence.uids))
        }
        let result: IMAPSearchResult
        do {
            result = try await evaluator.search(command)
        } catch let failure as IMAPSearchFailure {
            if saves { savedSearchResult = [] }
            return IMAPCommandOutcome(
                IMAPStatusResponse(status: failure.status, code: failure.responseCode, text: failure.error.message), reportsExpunges: reportsExpunges)
        } catch {
            if saves { savedSearchResult = [] }
            return IMAPCommandOutcome(Self.response(for: error), reportsExpunges: reportsExpunges)
        }
        if saves {
            if !options.contains(.all), !options.contains(.count), options.contains(.min) || options.contains(.max) {
                var kept: [UInt32] = []
                if options.contains(.min), let first = result.uids.first { kept.append(first) }
                if options.contains(.max), let last = result.uids.last, !kept.contains(last) { kept.append(last) }
                savedSearchResult = kept
            } else {
                savedSearchResult = result.uids
            }
        }
        if let data = evaluator.response(for: result.uids, of: command, uid: uid, tag: tag, highestModSeq: result.highestModSeq) {
            try await writer.write(.untagged(data))
        }
        return IMAPCommandOutcome(.ok("SEARCH completed"), reportsExpunges: reportsExpunges)
    }
}
