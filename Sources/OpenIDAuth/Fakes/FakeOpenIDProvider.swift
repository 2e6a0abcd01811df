import CommunityMailCrypto
public import CommunityMailSystem
public import Foundation
public import HTTPTransport

/// A public in-memory OpenID 2.0 provider for host apps' tests: it serves discovery
/// documents, answers `associate` and `check_authentication` through a
/// ``ScriptedHTTPClient``, and issues correctly signed assertions (stateless or associated,
/// with SREG, AX, Launchpad teams and PAPE answers). It also forges the attacks a relying
/// party must refuse, on request (``Forgery``).
///
/// ```swift
/// let provider = FakeOpenIDProvider()
/// await provider.addIdentity(.init(claimedIdentifier: "https://openid.example/+id/alice", nickname: "alice"))
/// let rp = OpenIDRelyingParty(configuration: ..., httpClient: provider.httpClient(), store: ...)
/// let request = try await rp.begin(identifier: provider.configuration.opIdentifier.absoluteString)
/// let callback = try await provider.positiveAssertion(for: request.redirectURL, as: "https://openid.example/+id/alice")
/// let response = try await rp.complete(callbackURL: callback)
/// ```
public actor FakeOpenIDProvider {
    /// Where the provider lives and what it supports.
    public struct Configuration: Sendable {
        /// The endpoint URL. Default: `https://openid.example/+openid`.
        public var endpoint: URL = URL(string: "https://openid.example/+openid")!
        /// The OP identifier (served as an XRDS `.../2.0/server` document).
        /// Default: `https://openid.example/`.
        public var opIdentifier: URL = URL(string: "https://openid.example/")!
        /// Association kinds accepted; others get `unsupported-type` naming the first.
        /// Default: DH-SHA256, DH-SHA1 and (over https) no-encryption for both types.
        public var supportedAssociations: [OpenIDRelyingParty.AssociationKind] = [
            .dhSHA256, .dhSHA1, .plainSHA256, .plainSHA1,
        ]
        /// How long associations last, in seconds. Default: 3600.
        public var associationLifetime: Int = 3600

        /// The defaults.
        public init() {}
    }

    /// How a claimed identifier's page advertises its provider.
    public enum DiscoveryStyle: Sendable, Hashable {
        /// An XRDS document when asked with `Accept: application/xrds+xml`, HTML otherwise.
        case xrds
        /// HTML with an `X-XRDS-Location` header pointing at the XRDS document.
        case xrdsLocationHeader
        /// HTML `<link rel="openid2.provider">` only.
        case html
    }

    /// A user the provider can assert.
    public struct Identity: Sendable, Hashable {
        /// The claimed identifier URL (served by this fake).
        public var claimedIdentifier: String
        /// An OP-local identifier different from the claimed one, if any.
        public var localIdentifier: String?
        /// SREG `nickname`.
        public var nickname: String?
        /// SREG `email`.
        public var email: String?
        /// SREG `fullname`.
        public var fullName: String?
        /// Launchpad teams the user belongs to.
        public var teams: [String]
        /// How the claimed identifier's page is discovered.
        public var discoveryStyle: DiscoveryStyle

        /// An identity.
        public init(
            claimedIdentifier: String, localIdentifier: String? = nil, nickname: String? = nil, email: String? = nil,
            fullName: String? = nil, teams: [String] = [], discoveryStyle: DiscoveryStyle = .xrds
        ) {
            self.claimedIdentifier = claimedIdentifier
            self.localIdentifier = localIdentifier
            self.nickname = nickname
            self.email = email
            self.fullName = fullName
            self.teams = teams
            self.discoveryStyle = discoveryStyle
        }
    }

    /// An attack to forge into an assertion.
    public enum Forgery: Sendable, Hashable {
        /// After signing, change a signed field's value.
        case changeSignedField(String, String)
        /// After signing, add a field and list it in `openid.signed` without re-signing.
        case addFieldToSignedList(String, String)
        /// Sign the assertion for another return_to URL (as if made for another site).
        case returnTo(String)
        /// Sign with a handle and key the provider never issued, so check_authentication fails.
        case unknownAssociationHandle
        /// Sign with the relying party's association even when it has expired.
        case useExpiredAssociation
        /// Put this time in the response nonce.
        case nonceTime(Date)
        /// After signing, add Launchpad team membership that is not signed.
        case unsignedTeams([String])
        /// Assert this claimed identifier (one the provider does not own), with this identity.
        case claimedIdentifier(String)
    }

    /// Where the provider lives.
    public nonisolated let configuration: Configuration
    let clock: any ServiceClock
    var identities: [String: Identity] = [:]
    var shared: [String: OpenIDAssociation] = [:]
    var privateAssociations: [String: OpenIDAssociation] = [:]
    var nonceCounter = 0
    /// How many check_authentication requests were answered.
    public internal(set) var checkAuthenticationCount = 0
    /// How many associations were made.
    public internal(set) var associationCount = 0

    /// A provider.
    public init(configuration: Configuration = Configuration(), clock: any ServiceClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Adds (or replaces) a user.
    public func addIdentity(_ identity: Identity) {
        identities[identity.claimedIdentifier] = identity
    }

    /// A scripted HTTP client that routes every request to this provider.
    public nonisolated func httpClient() -> ScriptedHTTPClient {
        Self.httpClient(serving: [self])
    }

    /// A scripted HTTP client that routes each request to the provider whose endpoint host
    /// matches (several fakes on one network, e.g. a victim's provider and an attacker's).
    public static func httpClient(serving providers: [FakeOpenIDProvider]) -> ScriptedHTTPClient {
        ScriptedHTTPClient(fallback: { request in
            guard let provider = providers.first(where: { $0.configuration.endpoint.host == request.url.host }) else {
                return HTTPResponse(status: 404, body: Data("no such host".utf8), url: request.url)
            }
            return await provider.handle(request)
        })
    }

    // MARK: HTTP

    /// Answers one HTTP request: discovery documents (GET) and direct requests (POST).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.method == .post, request.url.path == configuration.endpoint.path {
            let message = (try? OpenIDMessage(formEncoded: String(decoding: request.body ?? Data(), as: UTF8.self))) ?? OpenIDMessage()
            switch message["mode"] {
            case "associate": return associate(message)
            case "check_authentication": return checkAuthentication(message)
            default: return directError("unsupported mode", status: 400)
            }
        }
        guard request.method == .get else { return HTTPResponse(status: 405, url: request.url) }
        if request.url.scheme != configuration.endpoint.scheme,
           var secure = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        {
            // Like most sites, answer the other scheme with a permanent redirect.
            secure.scheme = configuration.endpoint.scheme
            return HTTPResponse(status: 301, headers: ["Location": secure.string ?? ""], url: request.url)
        }
        let wantsXRDS = (request.headers["Accept"] ?? "").contains("application/xrds+xml")
        let url = request.url.absoluteString
        if OpenIDIdentifier.normalizedURL(url) == OpenIDIdentifier.normalizedURL(configuration.opIdentifier.absoluteString) {
            return xrds(type: XRDSDocument.serverType, localID: nil, url: request.url)
        }
        let bare = url.hasSuffix("?xrds") ? String(url.dropLast(5)) : url
        guard let identity = identities.values.first(where: {
            OpenIDIdentifier.normalizedURL($0.claimedIdentifier) == OpenIDIdentifier.normalizedURL(bare)
        }) else { return HTTPResponse(status: 404, body: Data("not found".utf8), url: request.url) }
        if url.hasSuffix("?xrds") || (wantsXRDS && identity.discoveryStyle == .xrds) {
            return xrds(type: XRDSDocument.signonType, localID: identity.localIdentifier, url: request.url)
        }
        var headers: HTTPHeaders = ["Content-Type": "text/html; charset=utf-8"]
        var head = ""
        switch identity.discoveryStyle {
        case .xrdsLocationHeader: headers["X-XRDS-Location"] = identity.claimedIdentifier + "?xrds"
        case .html, .xrds:
            head = "<link rel=\"openid2.provider\" href=\"\(configuration.endpoint.absoluteString)\">"
            if let local = identity.localIdentifier { head += "<link rel=\"openid2.local_id\" href=\"\(local)\">" }
        }
        let html = "<!DOCTYPE html><html><head><title>\(identity.nickname ?? "user")</title>\(head)</head><body>profile</body></html>"
        return HTTPResponse(status: 200, headers: headers, body: Data(html.utf8), url: request.url)
    }

    private func xrds(type: String, localID: String?, url: URL) -> HTTPResponse {
        let local = localID.map { "<LocalID>\($0)</LocalID>" } ?? ""
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">
              <XRD>
                <Service priority="0">
                  <Type>\(type)</Type>
                  <URI>\(configuration.endpoint.absoluteString)</URI>
                  \(local)
                </Service>
              </XRD>
            </xrds:XRDS>
            """
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/xrds+xml"], body: Data(document.utf8), url: url)
    }

    func directError(_ text: String, status: Int, extra: [(String, String)] = []) -> HTTPResponse {
        let body = (try? KeyValueForm.encode([("ns", OpenIDMessage.namespace), ("error", text)] + extra)) ?? ""
        return HTTPResponse(status: status, headers: ["Content-Type": "text/plain"], body: Data(body.utf8))
    }

    func keyValue(_ fields: [(String, String)]) -> HTTPResponse {
        let body = (try? KeyValueForm.encode(fields)) ?? ""
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Data(body.utf8))
    }
}
