public import CommunityMailSystem
import Foundation
public import HTTPTransport

/// The real ``LaunchpadAPI``: Launchpad's web service over an ``HTTPClient``, with retries,
/// timeouts, conditional GETs for entries, and concurrent paging.
///
/// ```swift
/// let launchpad = try LaunchpadWebServiceClient()          // anonymous, production, 1.0
/// let alice = try await launchpad.person(named: "alice")
/// let ok = alice.isValidUbuntuCoCSigner
/// let members = try await launchpad.members(of: "ubuntumembers").collect()
/// ```
public struct LaunchpadWebServiceClient: LaunchpadAPI {
    /// Settings for the client.
    public struct Configuration: Sendable {
        /// The service root. Default: ``LaunchpadServiceRoot/production``.
        public var serviceRoot: LaunchpadServiceRoot = .production
        /// The API version in URLs. Default: ``LaunchpadAPIVersion/v1_0``, or the version
        /// the service root ends in when it is given with one (see
        /// ``init(serviceRoot:apiVersion:)``). A root naming another version than this is
        /// refused by the client.
        public var apiVersion: LaunchpadAPIVersion = .v1_0
        /// Anonymous or OAuth. Default: anonymous. OAuth PLAINTEXT sends the token secret
        /// as it is, so the client refuses it unless the service root is https or loopback.
        public var credentials: LaunchpadCredentials = .anonymous
        /// Entries requested per page (`ws.size`), 1...300 (Launchpad's maximum). Default: 300.
        public var pageSize: Int = 300
        /// Pages fetched at once when `total_size` is known; 1 follows
        /// `next_collection_link` one page at a time. Default: 4.
        public var maximumConcurrentPages: Int = 4
        /// The most pages one listing may take; more fails with
        /// ``LaunchpadError/pageLimitExceeded``. Default: 1,000 (300,000 entries at 300).
        public var maximumPages: Int = 1000
        /// The deadline of each HTTP attempt. Default: 30 s.
        public var requestTimeout: Duration = .seconds(30)
        /// Retries for connection errors, 408, 429 (honouring `Retry-After`), 500, 502,
        /// 503 and 504. Default: ``HTTPTransport/RetryPolicy``'s defaults.
        public var retryPolicy: RetryPolicy = RetryPolicy()
        /// Whether a collection whose size changes while it is listed fails with
        /// ``LaunchpadError/collectionChanged`` instead of being reported through
        /// ``events`` and finished. Default: false (report).
        public var failsWhenCollectionChanges: Bool = false
        /// Whether a collection entry that cannot be decoded is skipped (and reported)
        /// instead of failing the listing. Default: false (fail).
        public var skipsMalformedEntries: Bool = false
        /// The `User-Agent`. Default: `CommunityMail-LaunchpadClient`.
        public var userAgent: String = "CommunityMail-LaunchpadClient"
        /// Receives events (responses, reported size changes, skipped entries) for the
        /// host's log. Default: none.
        public var events: (@Sendable (LaunchpadClientEvent) -> Void)?

        /// The defaults above.
        public init() {}

        /// The defaults with another service root and version.
        /// - Parameter apiVersion: the version; nil (the default) takes the one the root
        ///   ends in, if any, else ``LaunchpadAPIVersion/v1_0``.
        public init(serviceRoot: LaunchpadServiceRoot, apiVersion: LaunchpadAPIVersion? = nil) {
            self.serviceRoot = serviceRoot
            self.apiVersion = apiVersion ?? serviceRoot.apiVersion ?? .v1_0
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let http: any HTTPClient
    private let cache: (any LaunchpadEntryCache)?

    /// A client.
    /// - Parameters:
    ///   - httpClient: the transport each attempt uses. Default: ``HTTPTransport/FoundationHTTPClient``.
    ///   - clock: the clock retries wait on and OAuth timestamps read; tests pass a
    ///     `ManualClock(advancesOnSleep: true)`. Default: `SystemClock`.
    ///   - entryCache: where entries are kept for conditional GETs; nil disables them.
    ///     Default: an ``InMemoryLaunchpadEntryCache``.
    /// - Throws: ``LaunchpadError/invalidConfiguration`` for a page size outside 1...300,
    ///   limits below 1, a service root that names another version than ``Configuration/apiVersion``,
    ///   or OAuth credentials with a plain http root off loopback (PLAINTEXT would send the
    ///   token secret in clear).
    public init(
        configuration: Configuration = Configuration(), httpClient: any HTTPClient = FoundationHTTPClient(),
        clock: any ServiceClock = SystemClock(),
        entryCache: (any LaunchpadEntryCache)? = InMemoryLaunchpadEntryCache()
    ) throws {
        guard (1...300).contains(configuration.pageSize) else {
            throw LaunchpadError.invalidConfiguration.with(
                message: "pageSize \(configuration.pageSize) is outside 1...300 (Launchpad's ws.size limit)")
        }
        guard configuration.maximumConcurrentPages >= 1, configuration.maximumPages >= 1 else {
            throw LaunchpadError.invalidConfiguration.with(message: "maximumConcurrentPages and maximumPages must be at least 1")
        }
        let root = configuration.serviceRoot
        if let rootVersion = root.apiVersion, rootVersion != configuration.apiVersion {
            throw LaunchpadError.invalidConfiguration.with(
                message: "the service root \(root.url.redactedForLogs)\(rootVersion)/ names API version \(rootVersion) "
                    + "but the configuration asks for \(configuration.apiVersion); give the root without a version, "
                    + "or the same version in both")
        }
        if case .oauth = configuration.credentials, !root.protectsSecretsInTransit {
            throw LaunchpadError.invalidConfiguration.with(
                message: "OAuth PLAINTEXT would send the token secret in clear to \(root.url.redactedForLogs); "
                    + "use an https service root (plain http is allowed on loopback only)")
        }
        self.configuration = configuration
        var signed: any HTTPClient = httpClient
        if case .oauth(let token) = configuration.credentials {
            // Signing sits under the retries so that every attempt gets a fresh nonce.
            signed = OAuthSigningHTTPClient(
                base: httpClient, token: token, root: configuration.serviceRoot, version: configuration.apiVersion, clock: clock)
        }
        self.http = RetryingHTTPClient(base: signed, policy: configuration.retryPolicy, clock: clock)
        self.cache = entryCache
    }

    // MARK: LaunchpadAPI

    /// The person or team called `name`. Repeated calls are conditional GETs when an entry
    /// cache is configured.
    public func person(named name: String) async throws -> LaunchpadPerson {
        let name = try LaunchpadName.validated(name)
        let url = configuration.serviceRoot.url(version: configuration.apiVersion, path: "~" + name)
        let body = try await getEntry(url)
        return try LaunchpadPerson(json: LaunchpadJSONObject(data: body, kind: "entry of ~\(name)"))
    }

    /// A team's direct, active members.
    public func members(of team: String) -> LaunchpadCollection<LaunchpadPerson> {
        people(team, "members")
    }

    /// A team's direct and indirect participants.
    public func participants(of team: String) -> LaunchpadCollection<LaunchpadPerson> {
        people(team, "participants")
    }

    /// A team's active memberships with status and dates.
    public func membershipDetails(of team: String) -> LaunchpadCollection<LaunchpadTeamMembership> {
        collection(team, "members_details", decode: { try LaunchpadTeamMembership(json: $0) }, identity: { $0.selfLink.absoluteString })
    }

    // MARK: Collections

    private func people(_ team: String, _ collectionName: String) -> LaunchpadCollection<LaunchpadPerson> {
        collection(team, collectionName, decode: { try LaunchpadPerson(json: $0) }, identity: { $0.name })
    }

    private func collection<Element: Sendable>(
        _ team: String, _ collectionName: String,
        decode: @escaping @Sendable (LaunchpadJSONObject) throws -> Element,
        identity: @escaping @Sendable (Element) -> String
    ) -> LaunchpadCollection<Element> {
        let validTeam: String
        do { validTeam = try LaunchpadName.validated(team) } catch { return LaunchpadCollection(failing: error) }
        let configuration = self.configuration
        let firstURL = configuration.serviceRoot.url(
            version: configuration.apiVersion, path: "~\(validTeam)/\(collectionName)",
            query: [("ws.size", String(configuration.pageSize)), ("ws.start", "0")])
        let rules = LaunchpadPager<Element>.Rules(
            serviceRoot: configuration.serviceRoot, version: configuration.apiVersion,
            maximumConcurrentPages: configuration.maximumConcurrentPages, maximumPages: configuration.maximumPages,
            failsWhenSizeChanges: configuration.failsWhenCollectionChanges,
            skipsMalformedEntries: configuration.skipsMalformedEntries, events: configuration.events)
        let client = self
        return LaunchpadCollection {
            LaunchpadPager(firstURL: firstURL, rules: rules, fetch: { try await client.get($0) }, decode: decode, identity: identity)
        }
    }

    // MARK: HTTP

    private func request(_ url: URL, etag: String? = nil) -> HTTPRequest {
        var headers: HTTPHeaders = ["Accept": "application/json", "User-Agent": configuration.userAgent]
        if let etag { headers["If-None-Match"] = etag }
        return HTTPRequest(url: url, headers: headers, timeout: configuration.requestTimeout)
    }

    /// GETs `url` and returns the body of a 200.
    func get(_ url: URL) async throws -> Data {
        let response = try await send(request(url))
        guard response.status == 200 else { throw failure(for: response, url: url) }
        return response.body
    }

    /// GETs an entry, conditionally when the cache holds it.
    private func getEntry(_ url: URL) async throws -> Data {
        let key = configuration.credentials.cacheIdentity + " " + url.absoluteString
        let cached = await cache?.entry(for: key)
        let response = try await send(request(url, etag: cached?.etag))
        if response.status == 304, let cached {
            configuration.events?(.notModified(url: url.redactedForLogs))
            return cached.body
        }
        guard response.status == 200 else { throw failure(for: response, url: url) }
        if let cache, let etag = response.headers["ETag"] {
            await cache.store(LaunchpadCachedEntry(etag: etag, body: response.body), for: key)
        }
        return response.body
    }

    private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            if error == .cancelled { throw CancellationError() }
            throw LaunchpadError.transport.with(message: error.message, cause: error)
        }
        configuration.events?(.response(url: request.url.redactedForLogs, status: response.status))
        return response
    }

    private func failure(for response: HTTPResponse, url: URL) -> LaunchpadError {
        let target = url.redactedForLogs
        switch response.status {
        case 404:
            return LaunchpadError.notFound.with(status: 404, message: "Launchpad has no \(target)")
        case 401, 403:
            return LaunchpadError.unauthorized.with(
                status: response.status, message: "Launchpad refused access to \(target) (\(response.status))")
        default:
            return LaunchpadError.unexpectedStatus.with(
                status: response.status, message: "Launchpad answered \(response.status) for \(target)")
        }
    }
}
