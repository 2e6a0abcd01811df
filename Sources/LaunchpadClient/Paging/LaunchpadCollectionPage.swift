import Foundation

/// One page of a collection as Launchpad serves it:
/// `{"start": 0, "total_size": 2000, "next_collection_link": "...", "entries": [...]}`.
/// The devel API sends `total_size_link` in place of `total_size` on pages before the last.
struct LaunchpadCollectionPage: Sendable {
    /// The entries, still undecoded.
    var entries: [LaunchpadJSONObject]
    /// The index of the first entry (`start`).
    var start: Int?
    /// The collection's size (`total_size`); nil when absent or negative.
    var totalSize: Int?
    /// Where the size can be fetched (`total_size_link`).
    var totalSizeLink: URL?
    /// The next page (`next_collection_link`); nil on the last page.
    var nextLink: URL?

    /// Decodes a page.
    /// - Throws: ``LaunchpadError/malformedJSON`` or ``LaunchpadError/missingField`` (`entries`).
    init(data: Data) throws {
        let object = try LaunchpadJSONObject(data: data, kind: "collection page")
        guard let entries = try object.optionalObjects("entries", kind: "collection entry") else {
            throw LaunchpadError.missingField.with(field: "entries", message: "the collection page has no `entries` field")
        }
        self.entries = entries
        self.start = try object.optionalInt("start")
        let total = try object.optionalInt("total_size")
        self.totalSize = total.flatMap { $0 >= 0 ? $0 : nil }
        self.totalSizeLink = try object.optionalURL("total_size_link")
        self.nextLink = try object.optionalURL("next_collection_link")
    }
}
