/// Turns a host name into the addresses a connection to it could reach, so that
/// ``OpenIDURLPolicy`` can judge a URL by where it leads. Implementations:
/// ``SystemHostResolver`` (getaddrinfo) and ``StaticHostResolver`` (a fixed table, for tests).
public protocol OpenIDHostResolver: Sendable {
    /// The numeric addresses (`93.184.216.34`, `2001:db8::1`) of `host`.
    /// - Throws: ``OpenIDError/refusedURL`` when the name does not resolve.
    func addresses(of host: String) async throws(OpenIDError) -> [String]
}
