/// Produces a collection's entries one page at a time, in order; what a
/// ``LaunchpadCollection`` iterates. Each iteration gets its own cursor.
public protocol LaunchpadPageCursor<Element>: AnyObject, Sendable {
    /// The entries of one page.
    associatedtype Element: Sendable
    /// The next page's entries, in order; nil once the collection is exhausted.
    /// - Throws: ``LaunchpadError`` (or `CancellationError`); the iteration ends.
    func nextPage() async throws -> [Element]?
}
