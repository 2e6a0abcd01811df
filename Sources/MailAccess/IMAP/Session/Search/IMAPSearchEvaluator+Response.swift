extension IMAPSearchEvaluator {
    /// The untagged response for `matches` (UIDs, ascending): `* SEARCH` (IMAP4rev1, no
    /// RETURN) with `(MODSEQ n)` when the keys had MODSEQ and something matched (RFC 7162
    /// section 3.1.5), or `* ESEARCH (TAG "t") [UID] ...` with the RETURN options MIN, MAX,
    /// ALL, COUNT (RFC 4731, RFC 9051 section 7.3.4; `RETURN ()` means ALL; MIN, MAX and
    /// ALL are left out when nothing matched). UIDs for `uid`, else message sequence numbers.
    /// Nil when RETURN holds only SAVE: RFC 5182 section 2.1 sends no ESEARCH then (saving
    /// is the session's).
    public func response(
        for matches: [UInt32], of search: IMAPSearchCommand, uid: Bool, tag: String, highestModSeq: UInt64?
    ) -> IMAPResponseData? {
        let sequence = IMAPSearchSequence(uids: uids, savedResult: savedResult, recent: recentUIDs)
        let numbers = uid ? matches : matches.compactMap { sequence.sequenceNumber(of: $0) }
        let modSeq = Self.hasModSeq(search.key) && !numbers.isEmpty ? highestModSeq : nil
        guard var options = search.returnOptions else {
            return .search(numbers, modSeq: modSeq)
        }
        if options.isEmpty { options = [.all] }
        if options == [.save] { return nil }
        var response = IMAPESearchResponse(tag: tag, uid: uid, modSeq: modSeq)
        if options.contains(.min) { response.min = numbers.min() }
        if options.contains(.max) { response.max = numbers.max() }
        if options.contains(.all), !numbers.isEmpty { response.all = IMAPSequenceSet(compacting: numbers) }
        if options.contains(.count) { response.count = UInt32(clamping: numbers.count) }
        return .esearch(response)
    }
}
