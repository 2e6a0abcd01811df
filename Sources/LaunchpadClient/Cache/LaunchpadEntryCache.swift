import Foundation

/// Where entry bodies are kept with their `ETag`, so that a repeated `GET` can be
/// conditional (`If-None-Match`) and a `304 Not Modified` served from here.
public protocol LaunchpadEntryCache: Sendable {
    /// The stored entry for `key`, if any.
    func entry(for key: String) async -> LaunchpadCachedEntry?
    /// Stores (or replaces) the entry for `key`.
    func store(_ entry: LaunchpadCachedEntry, for key: String) async
}
