import EncryptedMailbox

/// How a command that reads messages' content (FETCH of a body part, SEARCH of text)
/// splits its UIDs into the batches it reads from the mailbox at once, so that one command
/// holds a bounded number of octets however large the folder's messages are.
struct IMAPContentBatches: Sendable {
    /// The most messages in one batch.
    var maximumCount: Int
    /// The most octets in one batch, counted as ``Mailbox/sizes(of:in:content:)`` gives
    /// them (never fewer than a read holds). A batch closes before a message would pass
    /// it; a single larger message is a batch of its own.
    var byteBudget: Int

    /// `uids`, in their order, split into batches for reads of `content`, with the sizes
    /// read `metadataWindow` messages per call (for `.metadata`, by count alone, with no
    /// read). A UID the folder no longer holds counts as empty: the content read that
    /// follows finds it gone, as it would unplanned.
    /// - Throws: the mailbox's error.
    func split(
        _ uids: [UInt32], content: FetchContent, in folder: String, of mailbox: any Mailbox, metadataWindow: Int
    ) async throws -> [ArraySlice<UInt32>] {
        let count = max(1, maximumCount)
        // One message is a batch whatever its size, and metadata holds no content.
        guard uids.count > 1, content != .metadata else {
            return stride(from: 0, to: uids.count, by: count).map { uids[$0..<min(uids.count, $0 + count)] }
        }
        let budget = max(0, byteBudget)
        let window = max(1, metadataWindow)
        var batches: [ArraySlice<UInt32>] = []
        var batchStart = 0
        var bytes = 0
        var windowStart = 0
        while windowStart < uids.count {
            let windowEnd = min(uids.count, windowStart + window)
            let sizes = try await mailbox.sizes(of: UIDSet(uids[windowStart..<windowEnd]), in: folder, content: content)
            for index in windowStart..<windowEnd {
                let size = max(0, sizes[uids[index]] ?? 0)
                if index > batchStart && (index - batchStart >= count || size > budget - bytes) {
                    batches.append(uids[batchStart..<index])
                    batchStart = index
                    bytes = 0
                }
                bytes += min(size, budget)
            }
            windowStart = windowEnd
        }
        batches.append(uids[batchStart...])
        return batches
    }
}
