public import CommunityMailSystem
public import Foundation
public import HTTPTransport

/// Finds the OpenID 2.0 services of an identifier: Yadis first (XRDS by content negotiation,
/// the `X-XRDS-Location` header or meta element), then HTML `<link rel="openid2.provider">`
/// (section 7.3). Results are kept in a ``DiscoveryCache``.
public struct OpenIDDiscovery: Sendable {
    /// Limits and cache lifetime.
    public struct Configuration: Sendable {
        /// The largest document fetched, in bytes. Default: 1 MiB.
        public var maximumDocumentSize: Int = 1 << 20
        /// Redirects followed per fetch. Default: 5.
        public var maximumRedirects: Int = 5
        /// How long a discovery result is reused. Default: 10 minutes.
        public var cacheLifetime: TimeInterval = 600
        /// The deadline of each fetch. Default: 15 seconds.
        public var timeout: Duration = .seconds(15)

        /// The defaults.
        public init() {}
    }

    private let httpClient: any HTTPClient
    private let cache: any DiscoveryCache
    private let clock: any ServiceClock
    private let configuration: Configuration
    private let urlPolicy: OpenIDURLPolicy

    /// A discovery client.
    /// - Parameter urlPolicy: which URLs may be fetched; the default allows public https
    ///   URLs only (see ``OpenIDURLPolicy``).
    public init(httpClient: any HTTPClient, cache: any DiscoveryCache, clock: any ServiceClock = SystemClock(),
                configuration: Configuration = Configuration(), urlPolicy: OpenIDURLPolicy = OpenIDURLPolicy()) {
        self.httpClient = httpClient
        self.cache = cache
        self.clock = clock
        self.configuration = configuration
        self.urlPolicy = urlPolicy
    }

    /// The services of `identifier` (user input or a claimed identifier), from the cache when
    /// fresh. Without a scheme, `https://` is assumed unless the URL policy allows plain http.
    /// - Throws: ``OpenIDError`` (`invalidIdentifier`, `discoveryFailed`, `noOpenIDService`,
    ///   `unsafeDocument`, `documentTooLarge`, `refusedURL`, `tooManyFetches`).
    public func discover(_ identifier: String) async throws(OpenIDError) -> DiscoveredIdentifier {
        try await discover(normalized: normalize(typed: identifier), budget: OutboundFetchBudget(urlPolicy.maximumFetches))
    }

    /// What a user typed, normalized (section 7.2), except that an identifier without a
    /// scheme gets `https://` when the URL policy does not fetch plain http (7.2 would add
    /// `http://`, which the policy would then refuse).
    /// - Throws: ``OpenIDError/invalidIdentifier``, ``OpenIDError/unsupportedIdentifier``.
    func normalize(typed identifier: String) throws(OpenIDError) -> String {
        let typed = OpenIDIdentifier.trimmed(identifier)
        let lowered = typed.lowercased()
        guard !urlPolicy.allowsInsecureHTTP, !lowered.hasPrefix("http://"), !lowered.hasPrefix("https://"),
              !lowered.hasPrefix("xri://"), let first = typed.unicodeScalars.first, CharacterSet.alphanumerics.contains(first)
        else { return try OpenIDIdentifier.normalize(typed) }
        return try OpenIDIdentifier.normalize("https://" + typed)
    }

    /// ``discover(_:)`` for an identifier already in normalized form, spending `budget`.
    func discover(normalized: String, budget: OutboundFetchBudget) async throws(OpenIDError) -> DiscoveredIdentifier {
        if let cached = try await cache.services(for: normalized, at: clock.now()) { return cached }
        let result = try await discoverUncached(normalized, budget: budget)
        let expiry = clock.now().addingTimeInterval(configuration.cacheLifetime)
        try await cache.store(result, for: normalized, expiresAt: expiry)
        if result.identifier != normalized { try await cache.store(result, for: result.identifier, expiresAt: expiry) }
        return result
    }

    private func discoverUncached(_ url: String, budget: OutboundFetchBudget) async throws(OpenIDError) -> DiscoveredIdentifier {
        let (finalURL, response) = try await fetch(
            url, accept: "application/xrds+xml, text/html;q=0.9, */*;q=0.1", budget: budget, redirectedFrom: nil)
        guard let claimed = OpenIDIdentifier.normalizedURL(finalURL) else {
            throw OpenIDError.discoveryFailed.with(message: "discovery was redirected to a URL that is not http(s)")
        }
        let contentType = (response.headers["Content-Type"] ?? "").lowercased()
        var services: [OpenIDService] = []
        if contentType.contains("application/xrds+xml") {
            services = try XRDSDocument(data: response.body, contentType: contentType).openIDServices(claimedIdentifier: claimed)
        } else {
            let html = contentType.contains("html") ? HTMLDiscoveryDocument(html: response.bodyText) : nil
            if let location = response.headers["X-XRDS-Location"] ?? html?.xrdsLocation,
               let resolved = URL(string: location, relativeTo: URL(string: finalURL))?.absoluteString
            {
                let (_, xrds) = try await fetch(resolved, accept: "application/xrds+xml", budget: budget, redirectedFrom: URL(string: finalURL))
                services = try XRDSDocument(data: xrds.body, contentType: (xrds.headers["Content-Type"] ?? "").lowercased())
                    .openIDServices(claimedIdentifier: claimed)
            }
            if services.isEmpty, let html, let provider = html.provider {
                services = [OpenIDService(endpoint: provider, isOPIdentifier: false, claimedIdentifier: claimed,
                                          localIdentifier: html.localID)]
            }
        }
        services = services.compactMap { service in
            guard let endpoint = OpenIDIdentifier.normalizedURL(service.endpoint) else { return nil }
            var service = service
            service.endpoint = endpoint
            return service
        }
        guard !services.isEmpty else {
            throw OpenIDError.noOpenIDService.with(message: "no OpenID 2.0 service found at \(Self.redacted(claimed))")
        }
        return DiscoveredIdentifier(identifier: claimed, services: services)
    }

    /// GETs `url`, following up to the configured number of redirects by hand (so that every
    /// hop is checked against the URL policy and spends the budget), and returns the final
    /// URL and its successful response. Errors never say what the server answered (status,
    /// transport failure): that would make discovery a port scanner for whoever names the URL.
    private func fetch(_ url: String, accept: String, budget: OutboundFetchBudget, redirectedFrom origin: URL?)
        async throws(OpenIDError) -> (String, HTTPResponse)
    {
        var current = url
        var previous = origin
        for _ in 0...configuration.maximumRedirects {
            guard let requestURL = URL(string: current), let scheme = requestURL.scheme?.lowercased(),
                  scheme == "http" || scheme == "https"
            else { throw OpenIDError.discoveryFailed.with(message: "cannot fetch a URL that is not http(s)") }
            try await urlPolicy.check(requestURL, redirectedFrom: previous)
            try budget.spend()
            let response: HTTPResponse
            do {
                response = try await httpClient.execute(HTTPRequest(
                    url: requestURL, headers: ["Accept": accept], timeout: configuration.timeout))
            } catch {
                throw OpenIDError.discoveryFailed.with(message: "fetching a discovery document failed", cause: error)
            }
            if (300..<400).contains(response.status), let location = response.headers["Location"] {
                guard let next = URL(string: location, relativeTo: requestURL)?.absoluteString else {
                    throw OpenIDError.discoveryFailed.with(message: "a redirect has an invalid Location")
                }
                previous = requestURL
                current = next
                continue
            }
            guard response.isSuccess else {
                // The status is kept as a value (for `isTransient`), not in the message: the
                // server may be named by a stranger, and messages reach sign-in pages.
                throw OpenIDError.discoveryFailed.with(message: "a discovery document could not be fetched", status: response.status)
            }
            guard response.body.count <= configuration.maximumDocumentSize else {
                throw OpenIDError.documentTooLarge.with(
                    message: "a discovery document is over \(configuration.maximumDocumentSize) bytes")
            }
            return (current, response)
        }
        throw OpenIDError.discoveryFailed.with(message: "more than \(configuration.maximumRedirects) redirects")
    }

    private static func redacted(_ url: String) -> String { URL(string: url)?.redactedForLogs ?? "the identifier" }
}
