import Foundation
public import HTTPTransport
import Synchronization

/// The public in-memory fake of Launchpad, for hosts' tests.
///
/// It holds a ``LaunchpadDirectory`` and serves it exactly as the web service would —
/// the same JSON pages, `ws.start`/`ws.size`, `next_collection_link`, `total_size`, ETags,
/// 404s — through its ``HTTPClient`` conformance. Its ``LaunchpadAPI`` methods read those
/// pages with the same paging and decoding code as ``LaunchpadWebServiceClient``, so a
/// test sees the same entries, order, limits and errors, with no network.
///
/// ```swift
/// let launchpad = InMemoryLaunchpad()
/// try launchpad.update { directory in
///     try directory.addPerson("alice")
///     try directory.addTeam("ubuntumembers")
///     try directory.addMember("alice", to: "ubuntumembers")
/// }
/// try await launchpad.isMember("alice", of: "ubuntumembers")   // true
/// ```
public final class InMemoryLaunchpad: LaunchpadAPI, HTTPClient {
    /// Holds the directory; shared with the client's transport without a reference cycle.
    private final class Store: Sendable {
        let directory: Mutex<LaunchpadDirectory>
        init(_ directory: LaunchpadDirectory) { self.directory = Mutex(directory) }
    }

    /// Serves the store as HTTP; the transport of ``client``.
    private struct Transport: HTTPClient {
        let store: Store
        let serviceRoot: LaunchpadServiceRoot

        func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
            try Task.checkCancellation()
            guard let root = URLComponents(url: serviceRoot.url, resolvingAgainstBaseURL: false),
                  let target = URLComponents(url: request.url, resolvingAgainstBaseURL: false),
                  target.scheme == root.scheme, target.host == root.host, target.port == root.port
            else {
                throw HTTPClientError.cannotConnect.with(message: "the in-memory Launchpad only serves \(serviceRoot)")
            }
            let directory = store.directory.withLock { $0 }
            var response = directory.response(to: request, serviceRoot: serviceRoot)
            response.url = request.url
            return response
        }
    }

    /// The root its links use. Default: production (nothing goes on the network).
    public let serviceRoot: LaunchpadServiceRoot
    /// The API version its client asks for.
    public let apiVersion: LaunchpadAPIVersion
    private let store: Store
    private let client: LaunchpadWebServiceClient

    /// A fake serving `directory`.
    /// - Parameters:
    ///   - pageSize: `ws.size` its client asks for, 1...300. Default: 75.
    ///   - maximumConcurrentPages: pages its client fetches at once. Default: 4.
    /// - Throws: ``LaunchpadError/invalidConfiguration`` for a page size outside 1...300.
    public init(
        directory: LaunchpadDirectory = LaunchpadDirectory(), serviceRoot: LaunchpadServiceRoot = .production,
        apiVersion: LaunchpadAPIVersion = .v1_0, pageSize: Int = 75, maximumConcurrentPages: Int = 4
    ) throws {
        self.serviceRoot = serviceRoot
        self.apiVersion = apiVersion
        let store = Store(directory)
        self.store = store
        var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: serviceRoot, apiVersion: apiVersion)
        configuration.pageSize = pageSize
        configuration.maximumConcurrentPages = maximumConcurrentPages
        configuration.retryPolicy = .none
        self.client = try LaunchpadWebServiceClient(
            configuration: configuration, httpClient: Transport(store: store, serviceRoot: serviceRoot))
    }

    /// Changes the directory atomically.
    /// - Throws: what `change` throws; the directory is left as it was then.
    public func update<T>(_ change: (inout LaunchpadDirectory) throws -> T) throws -> T {
        try store.directory.withLock { directory in
            var copy = directory
            let result = try change(&copy)
            directory = copy
            return result
        }
    }

    /// A copy of the directory as it is now.
    public var directory: LaunchpadDirectory { store.directory.withLock { $0 } }

    // MARK: HTTPClient

    /// Answers `request` as Launchpad would, from the directory.
    /// - Throws: ``HTTPTransport/HTTPClientError/cannotConnect`` for a URL outside ``serviceRoot``.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await Transport(store: store, serviceRoot: serviceRoot).execute(request)
    }

    // MARK: LaunchpadAPI

    /// See ``LaunchpadAPI/person(named:)``.
    public func person(named name: String) async throws -> LaunchpadPerson { try await client.person(named: name) }
    /// See ``LaunchpadAPI/members(of:)``.
    public func members(of team: String) -> LaunchpadCollection<LaunchpadPerson> { client.members(of: team) }
    /// See ``LaunchpadAPI/participants(of:)``.
    public func participants(of team: String) -> LaunchpadCollection<LaunchpadPerson> { client.participants(of: team) }
    /// See ``LaunchpadAPI/membershipDetails(of:)``.
    public func membershipDetails(of team: String) -> LaunchpadCollection<LaunchpadTeamMembership> {
        client.membershipDetails(of: team)
    }
}
