/// A Launchpad collection (a team's members, participants or memberships) as an
/// `AsyncSequence`. Nothing is fetched until iteration starts; each iteration lists the
/// collection afresh, page by page.
///
/// ```swift
/// for try await member in launchpad.members(of: "ubuntumembers") { print(member.name) }
/// ```
public struct LaunchpadCollection<Element: Sendable>: AsyncSequence, Sendable {
    /// The type `next()` fails with.
    public typealias Failure = any Error

    private let makeCursor: @Sendable () -> any LaunchpadPageCursor<Element>

    /// A collection whose iterations read pages from cursors that `makeCursor` makes.
    public init(makeCursor: @escaping @Sendable () -> any LaunchpadPageCursor<Element>) {
        self.makeCursor = makeCursor
    }

    /// A collection that fails at once with `error` (e.g. an invalid team name).
    public init(failing error: any Error) {
        self.makeCursor = { FailingCursor(error: error) }
    }

    /// Iterates the entries in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let cursor: any LaunchpadPageCursor<Element>
        private var page: [Element] = []
        private var index = 0
        private var finished = false

        init(cursor: any LaunchpadPageCursor<Element>) { self.cursor = cursor }

        /// The next entry, or nil at the end.
        /// - Throws: ``LaunchpadError``; later calls return nil.
        public mutating func next() async throws -> Element? {
            while index == page.count {
                guard !finished else { return nil }
                do {
                    guard let next = try await cursor.nextPage() else {
                        finished = true
                        return nil
                    }
                    page = next
                    index = 0
                } catch {
                    finished = true
                    throw error
                }
            }
            defer { index += 1 }
            return page[index]
        }
    }

    /// A new iteration.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(cursor: makeCursor()) }

    /// Every entry, in order.
    /// - Throws: what the iteration throws.
    public func collect() async throws -> [Element] {
        var all: [Element] = []
        for try await element in self { all.append(element) }
        return all
    }
}

/// A cursor that fails on its first page.
private final class FailingCursor<Element: Sendable>: LaunchpadPageCursor, @unchecked Sendable {
    // The error is only read; `any Error` is not statically Sendable.
    private let error: any Error
    init(error: any Error) { self.error = error }
    func nextPage() async throws -> [Element]? { throw error }
}
