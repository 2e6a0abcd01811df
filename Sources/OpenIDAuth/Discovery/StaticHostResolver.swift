/// A fixed table of names and addresses, for tests and offline examples: lookups are
/// deterministic and never leave the process.
public struct StaticHostResolver: OpenIDHostResolver {
    /// Addresses by lowercased host name.
    public var table: [String: [String]]
    /// The addresses of a name missing from the table; nil (the default) makes such a name
    /// fail to resolve.
    public var fallback: [String]?

    /// A resolver answering from `table`, and with `fallback` for any other name.
    public init(_ table: [String: [String]] = [:], fallback: [String]? = nil) {
        self.table = Dictionary(table.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.fallback = fallback
    }

    /// Every name resolves to `1.1.1.1`, a globally reachable address (documentation ranges
    /// such as TEST-NET are not, and the URL policy refuses them): what the fake providers'
    /// `.example` hosts need under the default policy. Nothing is sent to it; the fakes
    /// answer through a scripted HTTP client.
    public static let everyNameIsPublic = StaticHostResolver(fallback: ["1.1.1.1"])

    /// The table's addresses of `host`.
    /// - Throws: ``OpenIDError/refusedURL`` when the name is unknown and there is no fallback.
    public func addresses(of host: String) async throws(OpenIDError) -> [String] {
        guard let addresses = table[host.lowercased()] ?? fallback else {
            throw OpenIDError.refusedURL.with(message: "a host name did not resolve")
        }
        return addresses
    }
}
