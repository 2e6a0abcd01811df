import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import MailAccess
import Testing

/// The login rate limiter under parallel attempts (shared by IMAP and POP3): an attempt is
/// counted when it is let through, before the slow passphrase check, so parallel
/// connections get no extra guesses; and the servers' configuration bounds (no trap on
/// extreme limits).
@Suite struct IMAPServerLoginLimitTests {
    /// Fifty connections from one address try at once while each check takes a while:
    /// exactly the per-address limit get through.
    @Test func parallelAttemptsGetNoExtraGuesses() async {
        var configuration = LoginRateLimiter.Configuration()
        configuration.maximumFailuresPerAddress = 3
        configuration.maximumFailuresPerLogin = 1_000
        let limiter = LoginRateLimiter(configuration: configuration, clock: ManualClock())
        let client = InternetAddress("192.0.2.7")
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    guard limiter.reserveAttempt(login: "user\(index)", from: client) != nil else { return false }
                    // The passphrase check (a key derivation) takes time; the guess is refused.
                    try? await Task.sleep(for: .milliseconds(20))
                    return true
                }
            }
            var count = 0
            for await wasAdmitted in group where wasAdmitted { count += 1 }
            return count
        }
        #expect(admitted == 3)
        #expect(limiter.reserveAttempt(login: "another", from: client) == nil)
    }

    /// A login that succeeds (or could not be checked) is forgiven: it does not use up
    /// the address's allowance.
    @Test func forgivenAttemptsDoNotCount() {
        var configuration = LoginRateLimiter.Configuration()
        configuration.maximumFailuresPerAddress = 2
        let limiter = LoginRateLimiter(configuration: configuration, clock: ManualClock())
        let client = InternetAddress("192.0.2.8")
        for _ in 0..<10 {
            guard let reservation = limiter.reserveAttempt(login: "alice", from: client) else {
                Issue.record("a forgiven attempt was counted")
                return
            }
            limiter.forgive(reservation)
        }
        #expect(limiter.allows(login: "alice", from: client))
        _ = limiter.reserveAttempt(login: "alice", from: client)
        _ = limiter.reserveAttempt(login: "bob", from: client)
        #expect(!limiter.allows(login: "carol", from: client))
    }

    /// Extreme limits do not trap: a timeout too long for a deadline is refused, and
    /// `Int.max` sessions per address is taken as it is (IMAP and POP3).
    @Test func extremeLimitsAreRefusedOrTaken() async throws {
        let authenticator = InMemoryMailAccessAuthenticator(store: InMemoryMailboxStore())
        var imap = IMAPServer.Configuration()
        imap.limits.idleTimeout = .seconds(Int64.max)
        await #expect(throws: MailAccessError.invalidConfiguration) {
            _ = try await IMAPServer(address: try SocketAddress("127.0.0.1:0"), configuration: imap, authenticator: authenticator)
        }
        var pop3 = POP3Server.Configuration()
        pop3.limits.writeTimeout = .seconds(Int64.max)
        await #expect(throws: MailAccessError.invalidConfiguration) {
            _ = try await POP3Server(address: try SocketAddress("127.0.0.1:0"), configuration: pop3, authenticator: authenticator)
        }
        imap = IMAPServer.Configuration()
        imap.limits.maximumSessionsPerAddress = .max
        let server = try await IMAPServer(address: try SocketAddress("127.0.0.1:0"), configuration: imap, authenticator: authenticator)
        server.close()
        pop3 = POP3Server.Configuration()
        pop3.limits.maximumSessionsPerAddress = .max
        let pop3Server = try await POP3Server(address: try SocketAddress("127.0.0.1:0"), configuration: pop3, authenticator: authenticator)
        pop3Server.close()
    }
}
