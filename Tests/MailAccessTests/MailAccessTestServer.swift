import CommunityMailSystem
import MailAccess

/// A MailAccess server that ``MailAccessServerFixture`` can start on loopback: what the IMAP
/// and POP3 servers have in common (their initializer, ports, `run` and `close`), plus the
/// few names the fixture gives each.
protocol MailAccessTestServer: Sendable {
    /// The server's configuration type (IMAP's or POP3's).
    associatedtype Configuration: MailAccessServerConfiguration

    /// Names the fixture's temporary folder (`<label>-server`) and TLS leaf certificate.
    static var fixtureLabel: String { get }

    /// The configuration the fixture starts from (its server name set) before its own settings.
    static func fixtureConfiguration() -> Configuration

    /// Members besides `alice` whose mailboxes the fixture creates empty (login and password).
    static var emptyFixtureMembers: [(login: String, password: String)] { get }

    init(
        address: SocketAddress, implicitTLSAddress: SocketAddress?, configuration: Configuration,
        authenticator: any MailAccessAuthenticator
    ) async throws

    var configuration: Configuration { get }
    var localAddress: SocketAddress { get }
    var implicitTLSLocalAddress: SocketAddress? { get }
    func run() async throws
    func close()
}
