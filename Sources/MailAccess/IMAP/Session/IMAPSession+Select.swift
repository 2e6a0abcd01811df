import EncryptedMailbox

extension IMAPSession {
    /// ENABLE (RFC 5161): turns on CONDSTORE, QRESYNC (which implies CONDSTORE),
    /// UTF8=ACCEPT and IMAP4rev2; other names are ignored. `* ENABLED` lists what this
    /// command turned on.
    func enable(_ names: [String], writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        var turnedOn: [String] = []
        var condStoreNow = false
        for name in names {
            switch name.uppercased() {
            case "CONDSTORE" where !extensions.condStore:
                condStoreNow = true
                extensions.condStore = true
                turnedOn.append("CONDSTORE")
            case "QRESYNC" where !extensions.qresync:
                condStoreNow = condStoreNow || !extensions.condStore
                extensions.qresync = true
                extensions.condStore = true
                turnedOn.append("QRESYNC")
            case "UTF8=ACCEPT" where !extensions.utf8Accept:
                extensions.utf8Accept = true
                turnedOn.append("UTF8=ACCEPT")
            case "IMAP4REV2" where !extensions.imap4rev2:
                extensions.imap4rev2 = true
                turnedOn.append("IMAP4rev2")
            default:
                break
            }
        }
        try await writer.write(.untagged(.enabled(turnedOn)))
        if condStoreNow { try await announceHighestModSeq(writer: writer) }
        return IMAPCommandOutcome(.ok("ENABLE completed"))
    }

    /// Turns CONDSTORE on for a CONDSTORE-enabling command (RFC 7162 section 3.1); the
    /// first time, with a folder selected, says its HIGHESTMODSEQ in an untagged OK.
    func enableCondStore(writer: some IMAPResponseWriter) async throws {
        guard !extensions.condStore else { return }
        extensions.condStore = true
        try await announceHighestModSeq(writer: writer)
    }

    private func announceHighestModSeq(writer: some IMAPResponseWriter) async throws {
        guard let folder = selected, !folder.isDeleted else { return }
        let status = try await attempt { try await mailbox.status(of: folder.name) }
        try await writer.write(.untagged(.condition(.ok("Highest", code: .highestModSeq(status.highestModSeq)))))
    }

    /// SELECT and EXAMINE (RFC 9051 section 6.3.2, RFC 3501 section 6.3.1) with CONDSTORE
    /// and QRESYNC (RFC 7162 sections 3.1.8 and 3.2.5). A selected folder is closed first
    /// (`* OK [CLOSED]` under QRESYNC or IMAP4rev2), so a failed SELECT leaves none selected.
    func select(
        _ name: String, parameters: IMAPSelectParameters, readOnly: Bool, writer: some IMAPResponseWriter
    ) async throws -> IMAPCommandOutcome {
        if parameters.qresync != nil, !extensions.qresync {
            return IMAPCommandOutcome(.bad("QRESYNC is not enabled"))
        }
        if selected != nil {
            selected = nil
            savedSearchResult = nil
            if extensions.qresync || extensions.imap4rev2 {
                try await writer.write(.untagged(.condition(.ok("Previous mailbox closed", code: .closed))))
            }
        }
        if parameters.condStore { extensions.condStore = true }
        eventsDuringSelect = []
        defer { eventsDuringSelect = nil }
        // Status and messages in one read: the state FETCH FLAGS then starts from.
        let snapshot = try await attempt { try await mailbox.snapshot(of: name) }
        let status = snapshot.status
        let all = (changed: snapshot.messages, highestModSeq: status.highestModSeq)
        let sequence = IMAPMessageSequence(messages: all.changed)
        var folder = IMAPSelectedFolder(
            name: status.name, readOnly: readOnly, uidValidity: status.uidValidity, sequence: sequence, syncedModSeq: all.highestModSeq,
            syncedLastUID: sequence.lastUID)
        folder.state = IMAPFolderState(messages: all.changed, modSeq: all.highestModSeq)
        let uidNext = max(status.uidNext, (folder.sequence.uids.last ?? 0) &+ 1)
        var keywords = Set<String>()
        for message in all.changed { keywords.formUnion(message.keywords) }
        let flags = MessageFlags.named.map(\.name) + keywords.sorted()
        if tracksRecent {
            // RFC 3501 section 2.3.2: SELECT claims the messages no session has seen (they are
            // \Recent here only), EXAMINE sees them without claiming. The status read first
            // tells which are unclaimed, unless messages newer than it were read after: then
            // the mailbox is asked again. SELECT of a folder with none makes no write.
            let newerThanStatus = folder.sequence.lastUID >= status.uidNext
            if newerThanStatus || (!readOnly && status.firstRecentUID < status.uidNext) {
                // Up to the last message this SELECT reports (its EXISTS): later ones go to
                // the session that reports them first.
                if let uids = await unclaimedRecent(in: status.name, uidValidity: status.uidValidity, below: uidNext, readOnly: readOnly) {
                    folder.recent.insert(uids)
                }
            } else if readOnly {
                folder.recent.insert(status.firstRecentUID..<status.uidNext)
            }
            folder.reportedRecentCount = folder.recent.count(among: folder.sequence.uids)
        }

        try await writer.write(.untagged(.exists(UInt32(folder.sequence.count))))
        if tracksRecent { try await writer.write(.untagged(.recent(UInt32(clamping: folder.reportedRecentCount)))) }
        try await writer.write(.untagged(.condition(.ok("UIDs valid", code: .uidValidity(status.uidValidity)))))
        try await writer.write(.untagged(.condition(.ok("Predicted next UID", code: .uidNext(uidNext)))))
        try await writer.write(.untagged(.flags(flags)))
        let permanent = readOnly ? [] : flags + ["\\*"]
        try await writer.write(.untagged(.condition(.ok(readOnly ? "No permanent flags permitted" : "Flags permitted", code: .permanentFlags(permanent)))))
        if !extensions.imap4rev2, let firstUnseen = all.changed.firstIndex(where: { !$0.flags.contains(.seen) }) {
            try await writer.write(.untagged(.condition(.ok("First unseen", code: .unseen(UInt32(firstUnseen + 1))))))
        }
        if extensions.condStore {
            try await writer.write(.untagged(.condition(.ok("Highest", code: .highestModSeq(all.highestModSeq)))))
        }
        if extensions.imap4rev2 {
            try await writer.write(.untagged(.list(IMAPListItem(attributes: [], delimiter: Self.delimiter, name: status.name))))
        }
        if let qresync = parameters.qresync, qresync.uidValidity == status.uidValidity {
            try await resynchronize(&folder, since: qresync, writer: writer)
        }
        // Changes saved while the folder was read: what the read already saw is dropped as
        // known (UIDs, MODSEQs), the rest is reported like any other update.
        for event in eventsDuringSelect ?? [] { Self.apply(event, to: &folder) }
        eventsDuringSelect = nil
        selected = folder
        return IMAPCommandOutcome(.ok(readOnly ? "EXAMINE completed" : "SELECT completed", code: readOnly ? .readOnly : .readWrite))
    }

    /// QRESYNC's quick resynchronisation (RFC 7162 section 3.2.5): `* VANISHED (EARLIER)`
    /// with the UIDs expunged since the client's MODSEQ (only those it says it knows, when
    /// it sent known UIDs), then `* n FETCH (UID FLAGS MODSEQ)` of every message changed
    /// since. The mailbox keeps every expunge's MODSEQ, so the answer is exact and the
    /// `seq-match-data` hint is not needed.
    private func resynchronize(
        _ folder: inout IMAPSelectedFolder, since parameters: IMAPQResyncParameters, writer: some IMAPResponseWriter
    ) async throws {
        let changes = try await attempt { try await mailbox.changes(in: folder.name, since: parameters.modSeq) }
        var vanished = changes.vanished
        if case .ranges(let known)? = parameters.knownUIDs {
            let largest = max(folder.sequence.uids.last ?? 0, vanished.last ?? 0)
            vanished = IMAPMessageSequence.values(vanished, in: known, largest: largest)
        }
        // Expunged after this SELECT read the folder: reported as plain VANISHED later.
        let stillKnown = vanished.filter { folder.sequence.sequenceNumber(of: $0) != nil }
        folder.sequence.noteExpunged(stillKnown)
        vanished.removeAll { folder.sequence.sequenceNumber(of: $0) != nil }
        if !vanished.isEmpty {
            try await writer.write(.untagged(.vanished(earlier: true, uids: IMAPSequenceSet(compacting: vanished))))
        }
        let recent = tracksRecent ? folder.recent : IMAPRecentMessages()
        for change in changes.changed {
            guard let number = folder.sequence.sequenceNumber(of: change.uid), !folder.sequence.isExpungedUnreported(change.uid) else {
                continue
            }
            folder.sequence.noteReported(change)
            let flags = IMAPFlagNames.names(change.flags, keywords: change.keywords, recent: recent.contains(change.uid))
            try await writer.write(.untagged(.fetch(number, [.uid(change.uid), .flags(flags), .modSeq(change.modSeq)])))
        }
    }

    /// CLOSE (removes `\Deleted` messages silently, unless read-only) and UNSELECT: back
    /// to the authenticated state.
    func closeSelected(expunging: Bool) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        selected = nil
        savedSearchResult = nil
        if expunging, !folder.readOnly, !folder.isDeleted {
            do {
                _ = try await mailbox.expunge(folder.name)
            } catch {
                return IMAPCommandOutcome(Self.response(for: error), sendsUpdates: false)
            }
        }
        return IMAPCommandOutcome(.ok(expunging ? "CLOSE completed" : "UNSELECT completed"), sendsUpdates: false)
    }
}
