import EncryptedMailbox

extension IMAPSession {
    /// FETCH and UID FETCH (RFC 9051 section 6.4.5) through ``IMAPFetchResponder``, with
    /// CHANGEDSINCE and VANISHED (RFC 7162 sections 3.1.4 and 3.2.6). Body fetches without
    /// PEEK set `\Seen` first (not in EXAMINE) and the response carries the new FLAGS;
    /// under CONDSTORE every response with FLAGS carries MODSEQ. A message expunged
    /// elsewhere but not yet reported to this client is left out and the command ends
    /// `OK [EXPUNGEISSUED]` (RFC 9051 section 7.1); its sequence number stays until the
    /// client is told, which FETCH by sequence number never does (section 7.5.1).
    func fetch(
        _ set: IMAPSequenceSet, attributes: [IMAPFetchAttribute], modifiers: IMAPFetchModifiers, uid: Bool, writer: some IMAPResponseWriter
    ) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        let reportsExpunges = uid
        if modifiers.vanished {
            guard extensions.qresync else { return IMAPCommandOutcome(.bad("VANISHED needs QRESYNC enabled"), reportsExpunges: reportsExpunges) }
            guard uid, modifiers.changedSince != nil else {
                return IMAPCommandOutcome(.bad("VANISHED needs UID FETCH with CHANGEDSINCE"), reportsExpunges: reportsExpunges)
            }
        }
        let responder = IMAPFetchResponder(attributes: attributes)
        // Refused before any mailbox work: the attributes alone exceed the limits.
        if let refusal = responder.refusalBeforeFetch {
            return IMAPCommandOutcome(
                IMAPStatusResponse(status: refusal.status, code: refusal.responseCode, text: refusal.error.message), reportsExpunges: reportsExpunges)
        }
        var uids = try resolve(set, uid: uid, reportsExpunges: reportsExpunges)
        if modifiers.changedSince != nil || attributes.contains(.modSeq) { try await enableCondStore(writer: writer) }
        var changedSince: [MessageChange]?
        if let since = modifiers.changedSince {
            let changes = try await attempt(reportsExpunges: reportsExpunges) { try await mailbox.changes(in: folder.name, since: since) }
            changedSince = changes.changed
            let changed = Set(changes.changed.map(\.uid))
            uids = uids.filter { changed.contains($0) }
            if modifiers.vanished, case .ranges(let ranges) = set {
                let largest = max(folder.sequence.uids.last ?? 0, changes.vanished.last ?? 0)
                let vanished = IMAPMessageSequence.values(changes.vanished, in: ranges, largest: largest)
                if !vanished.isEmpty {
                    try await writer.write(.untagged(.vanished(earlier: true, uids: IMAPSequenceSet(compacting: vanished))))
                }
            }
        }
        if Set(attributes).isSubset(of: Self.stateAttributes), uids.count >= Self.stateFetchThreshold {
            return try await fetchState(uids, attributes: attributes, known: changedSince, reportsExpunges: reportsExpunges, writer: writer)
        }
        let setsSeen = responder.setsSeen && !folder.readOnly
        let asksFlags = attributes.contains(.flags)
        let asksModSeq = attributes.contains(.modSeq)
        let recent = recentInSelection
        var missing = false
        let content = responder.contentNeeded
        // Content is bounded by octets as well as by count: 128 messages of 50 MiB (or 128
        // headers as large) must not be read at once. Headers count their own length.
        let planner = IMAPContentBatches(
            maximumCount: content == .metadata ? configuration.metadataBatchSize : configuration.fetchBatchSize,
            byteBudget: configuration.fetchBatchBytes)
        let batches = try await attempt(reportsExpunges: reportsExpunges) {
            try await planner.split(uids, content: content, in: folder.name, of: mailbox, metadataWindow: configuration.metadataBatchSize)
        }
        let readAheadLimit = configuration.fetchReadAheadBytes
        var messages: [FetchedMessage] = []
        if let first = batches.first {
            messages = try await attempt(reportsExpunges: reportsExpunges) {
                try await mailbox.fetch(UIDSet(first), in: folder.name, content: content)
            }
        }
        var pending = IMAPFetchRun()
        for (index, chunk) in batches.enumerated() {
            // The next batch is read (and decrypted, on the mailbox's threads) while this one
            // is answered, unless this one is already large: the command then holds at most
            // `fetchReadAheadBytes` plus one batch.
            let following = index + 1 < batches.count ? batches[index + 1] : []
            let readsAhead = !following.isEmpty && readAheadLimit > 0 && Self.contentBytes(of: messages) <= readAheadLimit
            async let upcoming = Self.read(readsAhead ? following : [], of: mailbox, in: folder.name, content: content)
            if messages.count < chunk.count { missing = true }
            var seenNow = Set<UInt32>()
            if setsSeen {
                let unseen = messages.filter { !$0.flags.contains(.seen) }.map(\.uid)
                if !unseen.isEmpty {
                    let result = try await attempt(reportsExpunges: reportsExpunges) {
                        try await mailbox.store(.add(.seen), on: UIDSet(unseen), in: folder.name, unchangedSince: nil)
                    }
                    var changes: [UInt32: MessageChange] = [:]
                    for change in result.changed {
                        changes[change.uid] = change
                        selected?.sequence.noteReported(change)
                    }
                    for index in messages.indices {
                        guard let change = changes[messages[index].uid] else { continue }
                        messages[index].flags = change.flags
                        messages[index].keywords = change.keywords
                        messages[index].modSeq = change.modSeq
                        seenNow.insert(change.uid)
                    }
                }
            }
            for message in messages {
                guard let number = selected?.sequence.sequenceNumber(of: message.uid) else { continue }
                var items: [IMAPFetchItem]
                do {
                    items = try responder.items(for: message)
                } catch {
                    if !pending.isEmpty { try await writer.write(contentsOf: pending.take()) }
                    return IMAPCommandOutcome(
                        IMAPStatusResponse(status: error.status, code: error.responseCode, text: error.error.message), reportsExpunges: reportsExpunges)
                }
                let flagsSent = asksFlags || seenNow.contains(message.uid)
                if flagsSent {
                    // As in the state-only answer: no older waiting change may follow this one.
                    selected?.sequence.noteReported(
                        MessageChange(uid: message.uid, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq))
                }
                let isRecent = recent.contains(message.uid)
                if asksFlags, isRecent {
                    let names = IMAPFlagNames.names(message.flags, keywords: message.keywords, recent: true)
                    items = items.map { item in
                        if case .flags = item { return .flags(names) }
                        return item
                    }
                }
                if !asksFlags, seenNow.contains(message.uid) {
                    items.append(.flags(IMAPFlagNames.names(message.flags, keywords: message.keywords, recent: isRecent)))
                }
                if extensions.condStore, flagsSent, !asksModSeq { items.append(.modSeq(message.modSeq)) }
                pending.append(.untagged(.fetch(number, items)), bytes: message.content?.count ?? 0)
                if pending.isFull { try await writer.write(contentsOf: pending.take()) }
            }
            messages = []
            if !pending.isEmpty { try await writer.write(contentsOf: pending.take()) }
            do {
                messages = try await upcoming
            } catch {
                throw IMAPCommandFailure(Self.response(for: error), reportsExpunges: reportsExpunges)
            }
            if !readsAhead, !following.isEmpty {
                messages = try await attempt(reportsExpunges: reportsExpunges) {
                    try await mailbox.fetch(UIDSet(following), in: folder.name, content: content)
                }
            }
        }
        if missing {
            return IMAPCommandOutcome(.ok("Some messages were expunged", code: .expungeIssued), reportsExpunges: reportsExpunges)
        }
        return IMAPCommandOutcome(.ok("FETCH completed"), reportsExpunges: reportsExpunges)
    }

    /// The attributes a message's state answers alone: what `UID FETCH 1:* (FLAGS)`, the
    /// first thing a syncing client sends, asks for.
    private static let stateAttributes: Set<IMAPFetchAttribute> = [.flags, .uid, .modSeq]
    /// From this many messages on, a state-only FETCH reads the folder's state in one query
    /// (`changes(in:since:)`, no envelopes) rather than the messages' metadata in batches.
    private static let stateFetchThreshold = 64

    /// FETCH of FLAGS, UID and MODSEQ only, answered from the folder's state (`known`: the
    /// changes CHANGEDSINCE already read; otherwise the state SELECT read, brought up to date
    /// with the changes since). Same responses as through the responder, handed to the
    /// writer in runs of ``stateFetchRun``.
    private func fetchState(
        _ uids: [UInt32], attributes: [IMAPFetchAttribute], known: [MessageChange]?, reportsExpunges: Bool, writer: some IMAPResponseWriter
    ) async throws -> IMAPCommandOutcome {
        guard let folder = selected else { return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false) }
        let state: IMAPFolderState
        if let known {
            state = IMAPFolderState(messages: known, modSeq: 0)
        } else if var kept = folder.state {
            let since = kept.modSeq
            let changes = try await attempt(reportsExpunges: reportsExpunges) { try await mailbox.changes(in: folder.name, since: since) }
            kept.apply(changes)
            state = kept
            selected?.state = kept
        } else {
            let changes = try await attempt(reportsExpunges: reportsExpunges) { try await mailbox.changes(in: folder.name, since: 0) }
            state = IMAPFolderState(messages: changes.changed, modSeq: changes.highestModSeq)
            selected?.state = state
        }
        var items = attributes.map { attribute -> IMAPStateFetchRun.Item in
            switch attribute {
            case .uid: .uid
            case .modSeq: .modSeq
            default: .flags
            }
        }
        if extensions.condStore && attributes.contains(.flags) && !attributes.contains(.modSeq) { items.append(.modSeq) }
        let recent = recentInSelection
        // MSNs change only when the client is told (at the end of a command), so the
        // sequence read now holds for the whole answer. `uids`, the state and the sequence
        // are all ascending: one walk over the three, no look-up per message.
        let known = folder.sequence.uids
        var missing = false
        var run = IMAPStateFetchRun(items: items)
        run.messages.reserveCapacity(min(uids.count, Self.stateFetchRun))
        var stateIndex = 0, knownIndex = 0, runKeywordBytes = 0
        let reportsFlags = items.contains(.flags)
        for messageUID in uids {
            stateIndex = state.messages.sortedIndex(notBelow: messageUID, by: \.uid, from: stateIndex)
            knownIndex = known.sortedIndex(notBelow: messageUID, from: knownIndex)
            guard stateIndex < state.messages.count, state.messages[stateIndex].uid == messageUID,
                knownIndex < known.count, known[knownIndex] == messageUID
            else {
                missing = true
                continue
            }
            let change = state.messages[stateIndex]
            // The client now knows this state: an older change still waiting to be reported
            // (its event came late) must not follow it and turn the flags back.
            if reportsFlags { selected?.sequence.noteReported(change, at: knownIndex) }
            run.messages.append(IMAPStateFetchRun.Message(sequenceNumber: UInt32(knownIndex + 1), state: change, recent: recent.contains(change.uid)))
            // Keywords are the only part of a line without a small bound: a run with many
            // long ones goes out early, so the writer's buffer stays near its own threshold.
            for keyword in change.keywords { runKeywordBytes += keyword.utf8.count + 1 }
            if run.messages.count >= Self.stateFetchRun || runKeywordBytes >= Self.stateFetchRunKeywordBytes {
                runKeywordBytes = 0
                try await writer.write(run)
                run.messages.removeAll(keepingCapacity: true)
            }
        }
        if !run.messages.isEmpty { try await writer.write(run) }
        if missing {
            return IMAPCommandOutcome(.ok("Some messages were expunged", code: .expungeIssued), reportsExpunges: reportsExpunges)
        }
        return IMAPCommandOutcome(.ok("FETCH completed"), reportsExpunges: reportsExpunges)
    }

    /// How many state-only FETCH responses go to the writer in one call.
    private static let stateFetchRun = 1_024
    /// How many bytes of keywords a run of state-only FETCH responses holds at most.
    private static let stateFetchRunKeywordBytes = 262_144

    /// The messages `uids` with `content`, read off the session's actor (so the read overlaps
    /// the answer to the previous batch); none for no UIDs.
    private nonisolated static func read(
        _ uids: ArraySlice<UInt32>, of mailbox: any Mailbox, in folder: String, content: FetchContent
    ) async throws -> [FetchedMessage] {
        guard !uids.isEmpty else { return [] }
        return try await mailbox.fetch(UIDSet(uids), in: folder, content: content)
    }

    /// The stored bytes `messages` hold.
    private static func contentBytes(of messages: [FetchedMessage]) -> Int {
        messages.reduce(0) { $0 + ($1.content?.count ?? 0) }
    }
}
