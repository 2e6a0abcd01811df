import EncryptedMailbox

extension IMAPSession {
    /// The UIDs `set` names in the selected folder, ascending: sequence numbers through the
    /// client's view (a number above its EXISTS count is BAD), UIDs among the messages it
    /// knows, `$` from the saved search result.
    func resolve(_ set: IMAPSequenceSet, uid: Bool, reportsExpunges: Bool) throws -> [UInt32] {
        guard let folder = selected else { throw IMAPCommandFailure(.bad("no mailbox selected"), reportsExpunges: false) }
        switch set {
        case .savedResult:
            return folder.sequence.knownUIDs(among: savedSearchResult ?? [])
        case .ranges(let ranges):
            if uid { return folder.sequence.uids(forUIDs: ranges) }
            do {
                return try folder.sequence.uids(forSequenceNumbers: ranges)
            } catch {
                throw IMAPCommandFailure(.bad("invalid message sequence number"), reportsExpunges: reportsExpunges)
            }
        }
    }

    /// A refusal of a change in a folder opened with EXAMINE.
    static let readOnlyRefusal = IMAPStatusResponse.no("mailbox is read-only", code: .cannot)

    /// The name as the mailbox spells it: INBOX as the first level in capitals.
    static func canonicalName(_ name: String) -> String {
        let first = name.prefix { $0 != delimiter }
        guard first.uppercased() == "INBOX" else { return name }
        return "INBOX" + name.dropFirst(first.count)
    }

    /// EXPUNGE and UID EXPUNGE (RFC 4315): removes the `\Deleted` messages (of the set);
    /// the removals go out as `* n EXPUNGE` (`* VANISHED` under QRESYNC) with the other
    /// pending updates.
    func expunge(_ set: IMAPSequenceSet?, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        guard !folder.readOnly else { return IMAPCommandOutcome(Self.readOnlyRefusal) }
        var limit: UIDSet?
        if let set {
            let uids = try resolve(set, uid: true, reportsExpunges: true)
            guard !uids.isEmpty else { return IMAPCommandOutcome(.ok("EXPUNGE completed")) }
            limit = UIDSet(uids)
        }
        let removed = try await attempt { try await mailbox.expunge(folder.name, uids: limit) }
        selected?.sequence.noteExpunged(removed)
        return IMAPCommandOutcome(.ok("EXPUNGE completed"))
    }

    /// STORE and UID STORE (RFC 9051 section 6.4.6) with UNCHANGEDSINCE (RFC 7162 section
    /// 3.1.3). Unless `.SILENT`, every message of the set gets `* n FETCH (FLAGS ...)` with
    /// its flags now (UID for UID STORE, MODSEQ under CONDSTORE); with `.SILENT` under
    /// CONDSTORE the changed ones get `* n FETCH (MODSEQ ...)`. Messages left alone because
    /// they changed after UNCHANGEDSINCE are in `OK [MODIFIED set]`.
    func store(
        _ set: IMAPSequenceSet, action: IMAPStoreAction, unchangedSince: UInt64?, uid: Bool, writer: some IMAPResponseWriter
    ) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        let reportsExpunges = uid
        let (flags, keywords) = try Self.parseFlags(action.flags)
        let uids = try resolve(set, uid: uid, reportsExpunges: reportsExpunges)
        guard !folder.readOnly else { return IMAPCommandOutcome(Self.readOnlyRefusal, reportsExpunges: reportsExpunges) }
        if unchangedSince != nil { try await enableCondStore(writer: writer) }
        guard !uids.isEmpty else { return IMAPCommandOutcome(.ok("STORE completed"), reportsExpunges: reportsExpunges) }
        let operation: FlagOperation
        switch action.mode {
        case .replace: operation = .replace(flags, keywords: keywords)
        case .add: operation = .add(flags, keywords: keywords)
        case .remove: operation = .remove(flags, keywords: keywords)
        }
        let result = try await attempt(reportsExpunges: reportsExpunges) {
            try await mailbox.store(operation, on: UIDSet(uids), in: folder.name, unchangedSince: unchangedSince)
        }
        for change in result.changed { selected?.sequence.noteReported(change) }
        let modified = Set(result.modified)
        var missing = false
        if action.silent {
            if extensions.condStore {
                for change in result.changed {
                    guard let number = selected?.sequence.sequenceNumber(of: change.uid) else { continue }
                    let items: [IMAPFetchItem] = uid ? [.uid(change.uid), .modSeq(change.modSeq)] : [.modSeq(change.modSeq)]
                    try await writer.write(.untagged(.fetch(number, items)))
                }
            }
            missing = uids.contains { selected?.sequence.isExpungedUnreported($0) ?? false }
        } else {
            var changed: [UInt32: MessageChange] = [:]
            for change in result.changed { changed[change.uid] = change }
            let unchanged = uids.filter { changed[$0] == nil && !modified.contains($0) }
            var current: [UInt32: MessageChange] = changed
            var start = 0
            while start < unchanged.count {
                let chunk = unchanged[start..<min(unchanged.count, start + max(1, configuration.metadataBatchSize))]
                start += chunk.count
                let messages = try await attempt(reportsExpunges: reportsExpunges) {
                    try await mailbox.fetch(UIDSet(chunk), in: folder.name, content: .metadata)
                }
                for message in messages {
                    current[message.uid] = MessageChange(uid: message.uid, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
                }
            }
            for messageUID in uids where !modified.contains(messageUID) {
                guard let change = current[messageUID] else {
                    missing = true
                    continue
                }
                guard let number = selected?.sequence.sequenceNumber(of: messageUID) else { continue }
                try await writer.write(.untagged(.fetch(number, flagItems(change, uid: uid))))
            }
        }
        if !modified.isEmpty {
            let numbers = uid ? result.modified : result.modified.compactMap { selected?.sequence.sequenceNumber(of: $0) }
            return IMAPCommandOutcome(
                .ok("Conditional STORE failed", code: .modified(IMAPSequenceSet(compacting: numbers))), reportsExpunges: reportsExpunges)
        }
        if missing {
            return IMAPCommandOutcome(.ok("Some messages were expunged", code: .expungeIssued), reportsExpunges: reportsExpunges)
        }
        return IMAPCommandOutcome(.ok("STORE completed"), reportsExpunges: reportsExpunges)
    }

    /// The items of a FETCH response that reports a message's flags: UID (for UID
    /// commands and under QRESYNC), FLAGS, MODSEQ (under CONDSTORE).
    func flagItems(_ change: MessageChange, uid: Bool) -> [IMAPFetchItem] {
        var items: [IMAPFetchItem] = []
        if uid || extensions.qresync { items.append(.uid(change.uid)) }
        items.append(.flags(IMAPFlagNames.names(change.flags, keywords: change.keywords, recent: recentInSelection.contains(change.uid))))
        if extensions.condStore { items.append(.modSeq(change.modSeq)) }
        return items
    }

    /// COPY/UID COPY and MOVE/UID MOVE (RFC 6851) with COPYUID (RFC 4315). MOVE sends
    /// `* OK [COPYUID ...]` and then the removals (EXPUNGE or VANISHED); a missing
    /// destination is `NO [TRYCREATE]`, the quota `NO [OVERQUOTA]`.
    func copy(
        _ set: IMAPSequenceSet, to destination: String, uid: Bool, moving: Bool, writer: some IMAPResponseWriter
    ) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        let uids = try resolve(set, uid: uid, reportsExpunges: true)
        if moving, folder.readOnly { return IMAPCommandOutcome(Self.readOnlyRefusal) }
        let verb = moving ? "MOVE" : "COPY"
        guard !uids.isEmpty else {
            _ = try await attempt(missingFolder: .tryCreate) { try await mailbox.status(of: destination) }
            return IMAPCommandOutcome(.ok("\(verb) completed: no messages"))
        }
        let copied = try await attempt(missingFolder: .tryCreate) {
            moving
                ? try await mailbox.move(UIDSet(uids), from: folder.name, to: destination)
                : try await mailbox.copy(UIDSet(uids), from: folder.name, to: destination)
        }
        if Self.canonicalName(destination) == selected?.name { selected?.sequence.noteAdded(copied.destinationUIDs) }
        var code: IMAPResponseCode?
        if !copied.sourceUIDs.isEmpty {
            code = .copyUID(
                uidValidity: copied.destinationUIDValidity, source: IMAPSequenceSet(compacting: copied.sourceUIDs),
                destination: IMAPSequenceSet(compacting: copied.destinationUIDs))
        }
        if moving {
            if let code { try await writer.write(.untagged(.condition(.ok("Moved UIDs", code: code)))) }
            selected?.sequence.noteExpunged(copied.sourceUIDs)
            return IMAPCommandOutcome(.ok("MOVE completed"))
        }
        return IMAPCommandOutcome(.ok("COPY completed", code: code))
    }
}
