import CommunityMailIDNA
import CommunityMailSystem

public import Foundation
import HTTPTransport

/// Which URLs the relying party may fetch: discovery documents, `associate` and
/// `check_authentication`. Claimed identifiers, XRDS endpoints and redirects come from
/// strangers, so by default only https URLs whose host resolves to public addresses only are
/// fetched, a redirect may not go from https to http, and one ``OpenIDRelyingParty/complete(callbackURL:postBody:)``
/// (or `begin`) makes at most ``maximumFetches`` requests.
///
/// Host names are judged by every address they resolve to (any refused address refuses the
/// URL), in their A-label form; `localhost` and `*.localhost` are loopback whatever the
/// resolver says (refused unless ``allowsPrivateAddresses``). Every
/// address refusal carries the same message. The HTTP client resolves the name again when
/// it connects, so a name whose DNS answer changes between the two lookups (DNS rebinding)
/// can still reach a refused address: this check is not a network boundary. The root fix,
/// connecting to the address that was checked, belongs to the coming system layer's HTTP
/// client; until then hosts that need to close that window use an egress firewall.
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
        // One message for every address refusal: a stranger learns nothing about which
        // internal names exist or what they resolve to.
        let refusal = OpenIDError.refusedURL.with(message: "the URL's host is not a public address this relying party fetches")
        let addresses: [InternetAddress]
        if let literal = InternetAddress(host: host) {
            addresses = [literal]
        } else if InternetAddress.looksNumeric(host) || host.contains(":") || host.contains("%") {
            throw refusal
        } else {
            // URLComponents gives an IDN host in Unicode; what is resolved and connected to
            // is its A-label form, so that is what is judged.
            let name: String
            if host.utf8.allSatisfy({ $0 < 0x80 }) {
                name = host
            } else {
                do { name = try DomainName.toASCII(host).lowercased() } catch { throw refusal }
            }
            guard name.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }),
                  !name.hasPrefix("."), !name.contains("..")
            else { throw refusal }
            // libcurl and the system resolver answer `localhost` and `*.localhost` with
            // loopback themselves (RFC 6761), whatever a resolver says: they are loopback,
            // refused unless private addresses are allowed.
            let bare = name.hasSuffix(".") ? String(name.dropLast()) : name
            let answers: [String]
            if bare == "localhost" || bare.hasSuffix(".localhost") {
                answers = ["127.0.0.1"]
            } else {
                do { answers = try await resolver.addresses(of: name) } catch { throw refusal }
            }
            var parsed: [InternetAddress] = []
            for answer in answers {
                guard let address = InternetAddress(host: answer) else { throw refusal }
                parsed.append(address)
            }
            guard !parsed.isEmpty else { throw refusal }
            addresses = parsed
        }
        let worst = addresses.map(\.reach).max() ?? .unusable
        switch worst {
        case .publicInternet: return
        case .privateNetwork where allowsPrivateAddresses: return
        case .privateNetwork, .unusable: throw refusal
        }
    }
}
