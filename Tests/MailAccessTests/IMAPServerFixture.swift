import CommunityMailTestSupport
import EncryptedMailbox
import MailAccess

/// Our IMAP server on loopback over a real encrypted store: `alice` (`secret1`) holds the
/// given messages in her INBOX; member `bob` (`secret2`) has an empty mailbox.
typealias IMAPServerFixture = MailAccessServerFixture<IMAPServer>

extension IMAPServer: MailAccessTestServer {
    static var fixtureLabel: String { "imap" }
    static func fixtureConfiguration() -> Configuration { Configuration(serverName: "imap.test") }
    static var emptyFixtureMembers: [(login: String, password: String)] { [("bob", "secret2")] }
}

extension MailAccessServerFixture where Server == IMAPServer {
    /// Runs `source` (Python 3 with imaplib; `config` holds `port`, `tls_port`, `cafile`
    /// and `extra`) and decodes what it prints as JSON.
    func python<Output: Decodable>(_ source: String, extra: [String: Any] = [:], as type: Output.Type) async throws -> Output {
        var settings: [String: Any] = ["port": Int(port), "extra": extra]
        if let implicitTLSPort { settings["tls_port"] = Int(implicitTLSPort) }
        if let certificates { settings["cafile"] = certificates.authority }
        return try await IMAPPythonScript.run(IMAPPythonScript.prelude + source, settings: settings, as: type)
    }

    /// The INBOX's messages now, read with the passphrase through the server's shared
    /// mailbox (so it works while sessions are open).
    func inboxContents() async throws -> [[UInt8]] {
        try await withSharedMailbox { try await $0.fetch(.all, in: "INBOX", content: .whole).map { $0.content ?? [] } }
    }

    /// Appends `message` to alice's INBOX as the forwarder would (through the shared mailbox).
    func deliver(_ message: [UInt8]) async throws {
        _ = try await withSharedMailbox { try await $0.append(message, to: "INBOX") }
    }
}
