import Foundation

/// Which URLs the relying party may fetch: discovery documents, `associate` and
/// `check_authentication`. Claimed identifiers, XRDS endpoints and redirects come from
/// strangers, so by default only https URLs whose host resolves to public addresses only are
/// fetched, a redirect may not go from https to http, and one ``OpenIDRelyingParty/complete(callbackURL:postBody:)``
/// (or `begin`) makes at most ``maximumFetches`` requests.
///
/// Host names are judged by every address they resolve to (any refused address refuses the
/// URL). The HTTP client resolves the name again when it connects, so a name whose DNS
/// answer changes between the two lookups (DNS rebinding) can still reach a refused address;
/// hosts that need to close that window pin addresses in their HTTP client or egress
/// firewall.
public struct OpenIDURLPolicy: Sendable {
    /// Plain `http://` URLs may be fetched. Default: false (https only). A redirect from
    /// https to http is refused either way.
    public var allowsInsecureHTTP: Bool
    /// Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
    /// fe80::/10) and shared (100.64/10) addresses may be fetched: for a provider on loopback
    /// or a private network. Default: false. Unspecified (0/8, ::), multicast and reserved
    /// addresses are refused even then.
    public var allowsPrivateAddresses: Bool
    /// Requests one `begin` or `complete` may make, redirects and discovery of the claimed
    /// identifier included. Default: 8.
    public var maximumFetches: Int
    /// Resolves host names for the address check. Default: ``SystemHostResolver``.
    public var resolver: any OpenIDHostResolver

    /// A policy; the defaults allow public https URLs only.
    public init(
        allowsInsecureHTTP: Bool = false, allowsPrivateAddresses: Bool = false, maximumFetches: Int = 8,
        resolver: any OpenIDHostResolver = SystemHostResolver()
    ) {
        self.allowsInsecureHTTP = allowsInsecureHTTP
        self.allowsPrivateAddresses = allowsPrivateAddresses
        self.maximumFetches = maximumFetches
        self.resolver = resolver
    }

    /// For a provider on loopback or a private network (tests, examples, an intranet):
    /// http and private addresses allowed.
    public static func privateNetwork(resolver: any OpenIDHostResolver = SystemHostResolver()) -> OpenIDURLPolicy {
        OpenIDURLPolicy(allowsInsecureHTTP: true, allowsPrivateAddresses: true, resolver: resolver)
    }

    /// Throws unless `url` may be fetched; `previous` is the URL that redirected to it.
    /// - Throws: ``OpenIDError/refusedURL``, never saying more than which rule refused it.
    public func check(_ url: URL, redirectedFrom previous: URL? = nil) async throws(OpenIDError) {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              components.user == nil, components.password == nil,
              let host = components.host?.lowercased(), !host.isEmpty
        else { throw OpenIDError.refusedURL.with(message: "only absolute http(s) URLs without credentials are fetched") }
        if scheme == "http" {
            guard allowsInsecureHTTP else { throw OpenIDError.refusedURL.with(message: "plain http URLs are not fetched") }
            if previous?.scheme?.lowercased() == "https" {
                throw OpenIDError.refusedURL.with(message: "a redirect from https to http is refused")
            }
        }
        let addresses: [InternetAddress]
        if let literal = InternetAddress(host: host) {
            addresses = [literal]
        } else if InternetAddress.looksNumeric(host) || host.contains(":") {
            throw OpenIDError.refusedURL.with(message: "the URL's host is a malformed address")
        } else {
            guard host.utf8.allSatisfy({ $0 < 0x80 && ($0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)) })
            else { throw OpenIDError.refusedURL.with(message: "the URL's host name has characters DNS does not") }
            let answers = try await resolver.addresses(of: host)
            var parsed: [InternetAddress] = []
            for answer in answers {
                guard let address = InternetAddress(host: answer) else {
                    throw OpenIDError.refusedURL.with(message: "the resolver answered something that is not an address")
                }
                parsed.append(address)
            }
            guard !parsed.isEmpty else { throw OpenIDError.refusedURL.with(message: "a host name did not resolve") }
            addresses = parsed
        }
        let worst = addresses.map(\.reach).max() ?? .unusable
        switch worst {
        case .publicInternet: return
        case .privateNetwork where allowsPrivateAddresses: return
        case .privateNetwork:
            throw OpenIDError.refusedURL.with(message: "the URL leads to a loopback, private or link-local address")
        case .unusable:
            throw OpenIDError.refusedURL.with(message: "the URL leads to an unspecified, multicast or reserved address")
        }
    }
}
