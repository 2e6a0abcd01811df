/// Something a host may want to log or count. URLs have their queries removed; no event
/// carries credentials, signatures or bodies.
public enum LaunchpadClientEvent: Sendable, Hashable {
    /// A response arrived (after retries).
    case response(url: String, status: Int)
    /// A cached entry was confirmed by `304 Not Modified` and served from the cache.
    case notModified(url: String)
    /// A collection's size differed from the `total_size` first reported, while it was
    /// being listed: entries may have been missed or shifted between pages.
    case sizeChanged(collection: String, expected: Int, observed: Int)
    /// An entry that could not be decoded was skipped (when the configuration allows it).
    case skippedEntry(collection: String, reason: String)
    /// The same entry appeared twice while listing (it moved between pages); the repeat
    /// was dropped.
    case duplicateEntry(collection: String)
}
