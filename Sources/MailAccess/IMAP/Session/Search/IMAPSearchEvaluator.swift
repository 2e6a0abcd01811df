public import EncryptedMailbox

/// Answers SEARCH and UID SEARCH (RFC 9051 section 6.4.4, RFC 3501, RFC 7162 MODSEQ,
/// RFC 5182 `$`) over one folder of a ``Mailbox``, with IMAP's matching: strings are
/// case-insensitive substrings of the decoded header values and decoded text (RFC 2047
/// encoded words, base64 and quoted-printable, charsets to UTF-8).
///
/// The keys the mailbox's index answers with exactly IMAP's meaning (flags, keywords,
/// sizes, UIDs, internal dates, MODSEQ, FROM/TO/CC/SUBJECT/BCC/HEADER substrings) become one
/// ``SearchQuery``. BODY and TEXT (the index knows whole words, not substrings) and the
/// SENT dates (IMAP compares the date as written, in the sender's zone) are matched here
/// over fetched messages, in batches, and only for the messages the indexed keys left.
public struct IMAPSearchEvaluator: Sendable {
    /// How a search runs.
    public struct Configuration: Sendable, Hashable {
        /// Messages fetched from the mailbox at a time when keys must read message content.
        /// Default 200.
        public var batchSize: Int = 200
        /// The octets one batch of content may hold, counted as the messages' sizes (in RFC
        /// 5322 form, ``MessageSize``: never fewer than their stored bytes, so the batch's
        /// stored bytes stay within it): a batch closes before a message would pass it, and a
        /// single larger message is a batch of its own. Default 32 MiB; a search holds two batches at a time (the one matched and
        /// the next, read meanwhile), so about twice that however large the messages are.
        public var batchByteBudget: Int = 32 << 20
        /// The deepest the keys may nest (NOT, OR, parentheses) before the search is
        /// refused with `NO [LIMIT]`. Default 256 (the parser stops at 64).
        public var maximumNesting: Int = 256
        /// Defaults.
        public init() {}
    }

    /// The mailbox searched.
    public let mailbox: any Mailbox
    /// The folder searched.
    public let folder: String
    /// The session's messages: `uids[n-1]` has message sequence number n (ascending).
    public let uids: [UInt32]
    /// The SEARCHRES saved result (`$`), as UIDs; nil when none was saved.
    public let savedResult: [UInt32]?
    /// The messages that are `\Recent` in this session (IMAP4rev1 RECENT, NEW, OLD).
    /// Empty by default: under IMAP4rev2 nothing is recent.
    public var recentUIDs: Set<UInt32> = []
    /// How the search runs.
    public var configuration = Configuration()

    /// Searches `folder` of `mailbox`; `uids` are the session's message sequence: uids[n-1]
    /// has MSN n (sequence-set keys and `*` resolve against it); `savedResult` is the
    /// SEARCHRES `$` set (UIDs).
    public init(mailbox: any Mailbox, folder: String, uids: [UInt32], savedResult: [UInt32]?) {
        self.mailbox = mailbox
        self.folder = folder
        self.uids = uids
        self.savedResult = savedResult
    }

    /// The UIDs (ascending) of the messages matching the command's keys; only messages of
    /// the session's sequence (``uids``) can match.
    /// - Throws: ``IMAPSearchFailure`` (`BADCHARSET` for a charset other than US-ASCII and
    ///   UTF-8, `LIMIT` for keys nested too deeply) or the mailbox's errors.
    public func matchingUIDs(_ search: IMAPSearchCommand) async throws -> [UInt32] {
        if let charset = search.charset, !IMAPSearchFailure.supportedCharsets.contains(charset.uppercased()) {
            throw IMAPSearchFailure.badCharset
        }
        guard Self.depth(of: search.key) <= configuration.maximumNesting else { throw IMAPSearchFailure.tooDeep }
        let sequence = IMAPSearchSequence(uids: uids, savedResult: savedResult, recent: recentUIDs)
        let key = search.key
        if let query = sequence.query(for: key) {
            return sequence.restricted(try await indexed(query))
        }
        // Indexed keys of the top-level AND narrow the candidates; the rest is matched here.
        let keys: [IMAPSearchKey]
        if case .and(let list) = key { keys = list } else { keys = [key] }
        var indexedQueries: [SearchQuery] = []
        var remaining: [IMAPSearchKey] = []
        for key in keys {
            if let query = sequence.query(for: key) { indexedQueries.append(query) } else { remaining.append(key) }
        }
        var candidates = uids
        if !indexedQueries.isEmpty {
            let query = try? SearchQuery.and(indexedQueries)
            if let query {
                candidates = sequence.restricted(try await indexed(query))
            } else {
                remaining = keys
            }
        }
        guard !remaining.isEmpty, !candidates.isEmpty else { return candidates }
        let matcher = IMAPMessageMatcher(keys: remaining, sequence: sequence)
        var matches: [UInt32] = []
        let batchSize = max(1, configuration.batchSize)
        var start = 0
        while start < candidates.count {
            let chunk = Array(candidates[start..<min(candidates.count, start + batchSize * 10)])
            start += chunk.count
            let needed = matcher.contentNeeded
            let batches = try await contentBatches(chunk, needed: needed)
            guard let first = batches.first else { continue }
            var messages = try await content(of: first, needed: needed)
            var index = 0
            while true {
                // The next batch is read (and decrypted, on the mailbox's threads) while this
                // one is matched here.
                let following = index + 1 < batches.count ? batches[index + 1] : []
                async let upcoming = content(of: following, needed: needed)
                for message in messages where matcher.matches(message) { matches.append(message.uid) }
                messages = []
                try Task.checkCancellation()
                // Matching is CPU work on the cooperative pool: let other tasks run between batches.
                await Task.yield()
                messages = try await upcoming
                index += 1
                if index >= batches.count { break }
            }
        }
        return sequence.restricted(matches.sorted())
    }

    /// The messages of one batch with the content the keys need; none for an empty batch.
    private func content(of batch: [UInt32], needed: FetchContent) async throws -> [FetchedMessage] {
        guard !batch.isEmpty else { return [] }
        return try await mailbox.fetch(UIDSet(batch), in: folder, content: needed)
    }

    /// `uids` split into the batches their content is fetched in: at most
    /// ``Configuration/batchSize`` messages and ``Configuration/batchByteBudget`` octets each
    /// (``IMAPContentBatches``); for metadata, by count alone.
    private func contentBatches(_ uids: [UInt32], needed: FetchContent) async throws -> [[UInt32]] {
        let planner = IMAPContentBatches(maximumCount: configuration.batchSize, byteBudget: configuration.batchByteBudget)
        return try await planner.split(uids, content: needed, in: folder, of: mailbox, metadataWindow: uids.count).map(Array.init)
    }

    /// The matching UIDs and, when the keys hold MODSEQ (RFC 7162 section 3.1.5), the
    /// highest MODSEQ among them: what ``response(for:of:uid:tag:highestModSeq:)`` needs.
    /// - Throws: as ``matchingUIDs(_:)``.
    public func search(_ search: IMAPSearchCommand) async throws -> IMAPSearchResult {
        let matches = try await matchingUIDs(search)
        guard Self.hasModSeq(search.key), !matches.isEmpty else { return IMAPSearchResult(uids: matches, highestModSeq: nil) }
        var highest: UInt64 = 0
        let batchSize = max(1, configuration.batchSize) * 10
        var start = 0
        while start < matches.count {
            let batch = matches[start..<min(matches.count, start + batchSize)]
            start += batchSize
            for message in try await mailbox.fetch(UIDSet(batch), in: folder, content: .metadata) {
                highest = max(highest, message.modSeq)
            }
        }
        return IMAPSearchResult(uids: matches, highestModSeq: highest)
    }

    private func indexed(_ query: SearchQuery) async throws -> [UInt32] {
        try await mailbox.search(query, in: folder)
    }

    /// How deeply `key` nests, counted without recursion.
    static func depth(of key: IMAPSearchKey) -> Int {
        var deepest = 0
        var stack: [(IMAPSearchKey, Int)] = [(key, 1)]
        while let (key, depth) = stack.popLast() {
            deepest = max(deepest, depth)
            switch key {
            case .not(let inner): stack.append((inner, depth + 1))
            case .or(let a, let b): stack += [(a, depth + 1), (b, depth + 1)]
            case .and(let list): stack += list.map { ($0, depth + 1) }
            default: break
            }
        }
        return deepest
    }

    /// Whether the keys hold a MODSEQ criterion.
    static func hasModSeq(_ key: IMAPSearchKey) -> Bool {
        var stack = [key]
        while let key = stack.popLast() {
            switch key {
            case .modSeq: return true
            case .not(let inner): stack.append(inner)
            case .or(let a, let b): stack += [a, b]
            case .and(let list): stack += list
            default: break
            }
        }
        return false
    }
}
