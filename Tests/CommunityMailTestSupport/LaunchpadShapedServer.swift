import Foundation
import HTTPTransport
public import LaunchpadClient
import Synchronization

/// A loopback HTTP server that answers like Launchpad's web service, from a
/// ``LaunchpadClient/LaunchpadDirectory``: person entries, `members`, `participants` and
/// `members_details` pages of any `ws.size` up to 300, ETags and `304`, 404s. Faults can
/// be injected per request (statuses with headers, dropped connections, malformed entries,
/// foreign or repeating `next_collection_link`, missing or negative `total_size`), and a
/// latency added to every response.
///
/// ```swift
/// let server = try LaunchpadShapedServer(directory: directory)
/// server.inject(.status(503), times: 1, when: .pathHasSuffix("/members"))
/// let client = try LaunchpadWebServiceClient(configuration: .init(serviceRoot: server.serviceRoot))
/// ```
public final class LaunchpadShapedServer: Sendable {
    /// Something to do instead of (or to) the normal answer.
    public enum Fault: Sendable {
        /// Answer with this status, headers and plain-text body.
        case status(Int, headers: [(String, String)] = [], body: String = "")
        /// Close the connection without answering.
        case closeConnection
        /// Remove `field` from the entry named `entryName` (person or member), wherever it
        /// is served: a malformed entry.
        case removeField(String, fromEntryNamed: String)
        /// Move `next_collection_link` to another host (same path and query).
        case foreignNextLink(host: String)
        /// Make `next_collection_link` point at the page just served.
        case repeatingNextLink
        /// Remove `total_size` and `total_size_link` from collection pages.
        case dropTotalSize
        /// Serve `total_size` as -1.
        case negativeTotalSize
    }

    /// Which requests a fault applies to.
    public struct Match: Sendable {
        let test: @Sendable (LoopbackHTTPServer.Request) -> Bool

        /// Requests for which `test` is true.
        public init(_ test: @escaping @Sendable (LoopbackHTTPServer.Request) -> Bool) { self.test = test }
        /// Every request.
        public static let any = Match { _ in true }
        /// Requests whose path ends with `suffix` (e.g. `/members`, `/~alice`).
        public static func pathHasSuffix(_ suffix: String) -> Match { Match { $0.path.hasSuffix(suffix) } }
        /// Requests whose query contains `text` (e.g. `ws.start=300`).
        public static func queryContains(_ text: String) -> Match { Match { $0.query.contains(text) } }
        /// Requests matching both.
        public static func && (lhs: Match, rhs: Match) -> Match { Match { lhs.test($0) && rhs.test($0) } }
    }

    /// A request as served, for assertions.
    public struct LoggedRequest: Sendable {
        /// The request target (path and query).
        public var target: String
        /// The `Authorization` header, if any.
        public var authorization: String?
        /// The `If-None-Match` header, if any.
        public var ifNoneMatch: String?
        /// The status sent (0 when the connection was closed).
        public var status: Int
    }

    private struct Rule {
        var fault: Fault
        var remaining: Int?
        var match: Match
    }

    private struct State {
        var directory: LaunchpadDirectory
        var rules: [Rule] = []
        var log: [LoggedRequest] = []
        /// Rendered answers by request target and `If-None-Match`, dropped on every update,
        /// so that the server's own work does not swamp what a benchmark measures.
        var rendered: [String: HTTPResponse] = [:]
    }

    /// State shared with the server's handler threads.
    private final class Shared: Sendable {
        let state: Mutex<State>
        let root = Mutex<LaunchpadServiceRoot?>(nil)
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let shared: Shared
    private let latency: Duration
    private let server: Mutex<LoopbackHTTPServer?> = Mutex(nil)
    /// The root to configure clients with: `http://127.0.0.1:<port>/`.
    public let serviceRoot: LaunchpadServiceRoot

    /// Starts serving `directory` on an ephemeral loopback port, adding `latency` to every
    /// response.
    public init(directory: LaunchpadDirectory, latency: Duration = .zero) throws {
        let shared = Shared(State(directory: directory))
        self.shared = shared
        self.latency = latency
        let server = try LoopbackHTTPServer { request in
            guard let root = shared.root.withLock({ $0 }) else { return .close }
            return Self.handle(request, shared: shared, root: root, latency: latency)
        }
        let root = try LaunchpadServiceRoot(server.baseURL)
        shared.root.withLock { $0 = root }
        self.serviceRoot = root
        self.server.withLock { $0 = server }
    }

    deinit { stop() }

    /// Stops the server.
    public func stop() {
        server.withLock { $0?.stop() }
    }

    /// Applies `fault` to the next `times` matching requests (nil: every one from now on).
    public func inject(_ fault: Fault, times: Int? = 1, when match: Match = .any) {
        shared.state.withLock { $0.rules.append(Rule(fault: fault, remaining: times, match: match)) }
    }

    /// Changes the directory being served.
    public func update<T>(_ change: (inout LaunchpadDirectory) throws -> T) rethrows -> T {
        try shared.state.withLock { state in
            state.rendered.removeAll()
            return try change(&state.directory)
        }
    }

    /// Every request served so far, in order of arrival.
    public var requests: [LoggedRequest] { shared.state.withLock { $0.log } }

    // MARK: Serving

    private static func handle(
        _ request: LoopbackHTTPServer.Request, shared: Shared, root: LaunchpadServiceRoot, latency: Duration
    ) -> LoopbackHTTPServer.Reply {
        let cacheKey = request.target + "\n" + (request.header("if-none-match") ?? "")
        let (directory, faults, cached) = shared.state.withLock { state -> (LaunchpadDirectory, [Fault], HTTPResponse?) in
            var faults: [Fault] = []
            for index in state.rules.indices where state.rules[index].match.test(request) {
                if let remaining = state.rules[index].remaining {
                    guard remaining > 0 else { continue }
                    state.rules[index].remaining = remaining - 1
                }
                faults.append(state.rules[index].fault)
            }
            state.rules.removeAll { $0.remaining == 0 }
            return (state.directory, faults, state.rendered[cacheKey])
        }
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        let url = URL(string: root.url.absoluteString.dropLast() + request.target) ?? root.url
        let httpRequest = HTTPRequest(method: HTTPMethod(rawValue: request.method), url: url, headers: headers)
        var response: HTTPResponse
        if let cached {
            response = cached
        } else {
            response = directory.response(to: httpRequest, serviceRoot: root)
            let fresh = response
            shared.state.withLock { state in
                // Only when the directory has not changed since it was read.
                if state.directory.generation == directory.generation { state.rendered[cacheKey] = fresh }
            }
        }

        for fault in faults {
            switch fault {
            case .closeConnection:
                log(request, status: 0, shared: shared)
                return .close
            case .status(let status, let extra, let body):
                response = HTTPResponse(status: status, headers: HTTPHeaders(extra), body: Data(body.utf8))
            default:
                response.body = rewrite(response.body, fault: fault, requestURL: url)
            }
        }
        log(request, status: response.status, shared: shared)
        let replyHeaders = response.headers.map { ($0.name, $0.value) }
        if latency > .zero {
            return .delayed(latency, status: response.status, headers: replyHeaders, body: response.body)
        }
        return .respond(status: response.status, headers: replyHeaders, body: response.body)
    }

    private static func log(_ request: LoopbackHTTPServer.Request, status: Int, shared: Shared) {
        let entry = LoggedRequest(
            target: request.target, authorization: request.header("authorization"),
            ifNoneMatch: request.header("if-none-match"), status: status)
        shared.state.withLock { $0.log.append(entry) }
    }

    /// Applies a JSON-rewriting fault to a body; bodies that are not JSON objects pass.
    private static func rewrite(_ body: Data, fault: Fault, requestURL: URL) -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return body }
        switch fault {
        case .removeField(let field, let name):
            if object["name"] as? String == name { object[field] = nil }
            if var entries = object["entries"] as? [[String: Any]] {
                for index in entries.indices {
                    let member = (entries[index]["member_link"] as? String)?.split(separator: "~").last.map(String.init)
                    if entries[index]["name"] as? String == name || member == name { entries[index][field] = nil }
                }
                object["entries"] = entries
            }
        case .foreignNextLink(let host):
            if let link = object["next_collection_link"] as? String, var components = URLComponents(string: link) {
                components.host = host
                object["next_collection_link"] = components.string
            }
        case .repeatingNextLink:
            if object["next_collection_link"] != nil { object["next_collection_link"] = requestURL.absoluteString }
        case .dropTotalSize:
            object["total_size"] = nil
            object["total_size_link"] = nil
        case .negativeTotalSize:
            object["total_size_link"] = nil
            object["total_size"] = -1
        case .status, .closeConnection:
            break
        }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? body
    }
}
