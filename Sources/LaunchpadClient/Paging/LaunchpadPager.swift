import Foundation
import HTTPTransport

/// Lists one collection for one iteration: fetches the first page, then either follows
/// `next_collection_link` page by page or, when `total_size` is known, fetches the
/// remaining pages concurrently (a bounded window ahead of the reader) and hands them
/// out in order.
///
/// Guards: every followed link must stay under the service root; a link followed twice
/// ends the listing; so does a page count above the cap. A size that changes while
/// listing is reported (or fails, as configured), and entries seen twice are dropped.
actor LaunchpadPager<Element: Sendable>: LaunchpadPageCursor {
    /// The rules a listing follows, from the client's configuration.
    struct Rules: Sendable {
        var serviceRoot: LaunchpadServiceRoot
        var version: LaunchpadAPIVersion
        var maximumConcurrentPages: Int
        var maximumPages: Int
        var failsWhenSizeChanges: Bool
        var skipsMalformedEntries: Bool
        var events: (@Sendable (LaunchpadClientEvent) -> Void)?
    }

    /// A page fetched and decoded off the actor.
    private struct FetchedPage: Sendable {
        var entries: [Result<Element, LaunchpadError>]
        var start: Int?
        var totalSize: Int?
        var totalSizeLink: URL?
        var nextLink: URL?
    }

    private enum Mode {
        case notStarted
        case sequential(next: URL?)
        /// Pages after the first at `starts`, each `step` entries; `index` is the next one to hand out.
        case concurrent(starts: [Int], step: Int, index: Int)
        case finished
    }

    private let firstURL: URL
    private let rules: Rules
    private let fetch: @Sendable (URL) async throws -> Data
    private let decode: @Sendable (LaunchpadJSONObject) throws -> Element
    private let identity: @Sendable (Element) -> String
    private var mode = Mode.notStarted
    private var visited: Set<String> = []
    private var pagesFetched = 0
    private var expectedTotal: Int?
    private var lastNextLink: URL?
    private var seen: Set<String> = []
    private var inFlight: [Int: Task<FetchedPage, any Error>] = [:]

    /// A pager for the collection at `firstURL` (which carries `ws.size`).
    init(
        firstURL: URL, rules: Rules, fetch: @escaping @Sendable (URL) async throws -> Data,
        decode: @escaping @Sendable (LaunchpadJSONObject) throws -> Element,
        identity: @escaping @Sendable (Element) -> String
    ) {
        self.firstURL = firstURL
        self.rules = rules
        self.fetch = fetch
        self.decode = decode
        self.identity = identity
    }

    deinit {
        for task in inFlight.values { task.cancel() }
    }

    private var collectionName: String { firstURL.redactedForLogs }

    /// The next page's entries in order, or nil at the end.
    func nextPage() async throws -> [Element]? {
        do {
            return try await advance()
        } catch {
            mode = .finished
            for task in inFlight.values { task.cancel() }
            inFlight.removeAll()
            throw error
        }
    }

    private func advance() async throws -> [Element]? {
        switch mode {
        case .finished:
            return nil
        case .notStarted:
            return try await first()
        case .sequential(let next):
            guard let next else {
                mode = .finished
                return nil
            }
            try countPage()
            let page = try await Self.load(next, fetch: fetch, decode: decode)
            try checkSize(page.totalSize)
            mode = .sequential(next: try checkedNext(page.nextLink, following: true))
            return try accept(page)
        case .concurrent(let starts, let step, let index):
            guard index < starts.count else {
                // Entries added while listing push a `next_collection_link` past the end
                // that was planned; follow it like any other.
                if let link = lastNextLink {
                    mode = .sequential(next: try checkedNext(link, following: true))
                    return try await advance()
                }
                mode = .finished
                return nil
            }
            launch(from: index, starts: starts, step: step)
            guard let task = inFlight.removeValue(forKey: index) else { throw CancellationError() }
            let page = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            mode = .concurrent(starts: starts, step: step, index: index + 1)
            pagesFetched += 1
            try checkSize(page.totalSize)
            if page.totalSize == nil, page.entries.count < step, index + 1 < starts.count {
                // No size on the page (devel), but a short page before the last: it shrank.
                try reportChange(observed: starts[index] + page.entries.count)
            }
            lastNextLink = try checkedNext(page.nextLink, following: false)
            return try accept(page)
        }
    }

    private func first() async throws -> [Element]? {
        try countPage()
        visited.insert(firstURL.absoluteString)
        let page = try await Self.load(firstURL, fetch: fetch, decode: decode)
        var total = page.totalSize
        if total == nil, let link = page.totalSizeLink {
            total = try await fetchTotal(link)
        }
        expectedTotal = total
        let next = try checkedNext(page.nextLink, following: true)
        let step = page.entries.count
        if let total, next != nil, step > 0, rules.maximumConcurrentPages > 1 {
            let firstStart = page.start ?? 0
            let starts = Array(stride(from: firstStart + step, to: total, by: step))
            guard 1 + starts.count <= rules.maximumPages else { throw pageLimit() }
            mode = .concurrent(starts: starts, step: step, index: 0)
            lastNextLink = next
            if starts.isEmpty {
                // total_size says this was everything, yet there is a next link: follow it.
                mode = .sequential(next: next)
            }
        } else {
            mode = .sequential(next: next)
        }
        return try accept(page)
    }

    /// Starts fetches for the pages in the window after `index` that are not running yet.
    private func launch(from index: Int, starts: [Int], step: Int) {
        let end = min(starts.count, index + max(1, rules.maximumConcurrentPages))
        for position in index..<end where inFlight[position] == nil {
            let url = Self.pageURL(firstURL, start: starts[position], size: step)
            let fetch = self.fetch
            let decode = self.decode
            inFlight[position] = Task { try await Self.load(url, fetch: fetch, decode: decode) }
        }
    }

    private func countPage() throws {
        pagesFetched += 1
        if pagesFetched > rules.maximumPages { throw pageLimit() }
    }

    private func pageLimit() -> LaunchpadError {
        LaunchpadError.pageLimitExceeded.with(
            message: "\(collectionName) needs more than \(rules.maximumPages) pages; listing stopped")
    }

    /// Validates a next link: it must stay under the service root and, when it is going to
    /// be followed, must not have been followed before.
    private func checkedNext(_ link: URL?, following: Bool) throws -> URL? {
        guard let link else { return nil }
        guard rules.serviceRoot.contains(link, version: rules.version) else {
            throw LaunchpadError.foreignLink.with(
                message: "\(collectionName) links to \(link.redactedForLogs), outside \(rules.serviceRoot)\(rules.version)/; not followed")
        }
        if following {
            guard visited.insert(link.absoluteString).inserted else {
                throw LaunchpadError.repeatedLink.with(
                    message: "\(collectionName): next_collection_link \(link.redactedForLogs) was already followed")
            }
        }
        return link
    }

    private func fetchTotal(_ link: URL) async throws -> Int? {
        guard let link = try checkedNext(link, following: false) else { return nil }
        let data = try await fetch(link)
        guard case .integer(let size)? = try? LaunchpadJSONValue.parse(data) else {
            throw LaunchpadError.malformedJSON.with(message: "total_size_link of \(collectionName) did not answer with a number")
        }
        return size >= 0 ? size : nil
    }

    private func checkSize(_ observed: Int?) throws {
        guard let observed, let expected = expectedTotal, observed != expected else { return }
        try reportChange(observed: observed)
        expectedTotal = observed
    }

    private func reportChange(observed now: Int) throws {
        let expected = expectedTotal ?? 0
        if rules.failsWhenSizeChanges {
            throw LaunchpadError.collectionChanged.with(
                message: "\(collectionName) changed from \(expected) to \(now) entries while it was listed")
        }
        rules.events?(.sizeChanged(collection: collectionName, expected: expected, observed: now))
    }

    /// Applies the malformed-entry policy and drops entries already handed out.
    private func accept(_ page: FetchedPage) throws -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(page.entries.count)
        for entry in page.entries {
            switch entry {
            case .success(let element):
                if seen.insert(identity(element)).inserted {
                    out.append(element)
                } else {
                    rules.events?(.duplicateEntry(collection: collectionName))
                }
            case .failure(let error):
                guard rules.skipsMalformedEntries else { throw error }
                rules.events?(.skippedEntry(collection: collectionName, reason: error.message))
            }
        }
        return out
    }

    /// Fetches and decodes one page; with the fail policy the first bad entry throws.
    private static func load(
        _ url: URL, fetch: @Sendable (URL) async throws -> Data,
        decode: @Sendable (LaunchpadJSONObject) throws -> Element
    ) async throws -> FetchedPage {
        let page = try LaunchpadCollectionPage(data: try await fetch(url))
        let entries = page.entries.enumerated().map { offset, object -> Result<Element, LaunchpadError> in
            do {
                return .success(try decode(object))
            } catch let error as LaunchpadError {
                let position = (page.start ?? 0) + offset
                return .failure(error.with(message: "entry \(position) of \(url.redactedForLogs): \(error.message)"))
            } catch {
                return .failure(LaunchpadError.malformedJSON.with(message: "entry of \(url.redactedForLogs): \(error)"))
            }
        }
        return FetchedPage(
            entries: entries, start: page.start, totalSize: page.totalSize, totalSizeLink: page.totalSizeLink,
            nextLink: page.nextLink)
    }

    /// `base` with `ws.start` and `ws.size` set (other query items kept).
    static func pageURL(_ base: URL, start: Int, size: Int) -> URL {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        var items = (components.queryItems ?? []).filter { $0.name != "ws.start" && $0.name != "ws.size" && $0.name != "memo" }
        items.append(URLQueryItem(name: "ws.size", value: String(size)))
        items.append(URLQueryItem(name: "ws.start", value: String(start)))
        components.queryItems = items
        return components.url!
    }
}
