import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
@testable import MailAccess
import Testing

/// The AUTHORIZATION deadline, a server policy outside RFC 1939 (whose autologout timer is
/// an inactivity timer of at least 10 minutes): a POP3 client that has not logged in
/// within `loginTimeout` of connecting is closed without any reply (as RFC 1939 section 3
/// closes on its timer), however busy it keeps the session; a logged-in one is not; and the
/// maildrop listed at login comes from the sizes the mailbox keeps, without reading a
/// message.
@Suite struct POP3LoginTimeoutTests {
    static func endedByLoginTimeout(_ events: [MailAccessEvent]) -> Bool {
        events.contains { if case .sessionEnded(.pop3, .loginTimedOut, _, _) = $0 { true } else { false } }
    }

    @Test func sessionClosesWithoutReplying() {
        var session = POP3Session(configuration: POP3Session.Configuration(serverName: "pop.test"))
        _ = session.start()
        #expect(session.loginTimedOut() == [.close])
        #expect(session.state == .closed)
        #expect(session.loginTimedOut() == [])
    }

    /// Commands every 100 ms keep the idle timeout (30 minutes here) from ever passing; only
    /// the login deadline, counted from the connection, ends the session.
    @Test func aBusyClientThatNeverLogsInIsClosed() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginTimeout = .milliseconds(500)
            configuration.limits.idleTimeout = .seconds(1800)
        }
        let client = try await POP3LineClient(port: fixture.port)
        #expect(try await client.readLine()?.hasPrefix("+OK") == true)
        var lines: [String] = []
        var sent = 0
        // Bounded only to end a hang; a slow machine just sends more commands.
        while sent < 3_000, !Self.endedByLoginTimeout(fixture.events) {
            guard (try? await client.send("CAPA\r\n")) != nil else { break }
            sent += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        lines = (try? await client.readToEnd()) ?? []
        await client.close()
        // CAPA is valid in AUTHORIZATION: each one answered +OK and its list, which restarts
        // the idle wait; the login deadline then closes the session without a reply (none
        // answered, if a loaded machine let the deadline pass first).
        #expect(lines.isEmpty || lines.last == ".", "\(lines.suffix(3))")
        #expect(!lines.contains { $0.hasPrefix("-ERR") }, "\(lines.suffix(3))")
        #expect(lines.filter { $0.hasPrefix("+OK") }.count == lines.filter { $0 == "." }.count)
        try await waitUntil("the session ended by the login timeout") { Self.endedByLoginTimeout(fixture.events) }
        #expect(!fixture.events.contains { if case .login = $0 { true } else { false } })
        await fixture.stop()
    }

    /// USER without PASS is not a login: the deadline still applies.
    @Test func userWithoutPassIsClosed() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginTimeout = .milliseconds(300)
        }
        let client = try await POP3LineClient(port: fixture.port)
        _ = try await client.readLine()
        try await client.send("USER alice\r\n")
        let lines = try await client.readToEnd()
        await client.close()
        // USER's +OK, unless the deadline passed before the server read it (a loaded
        // machine); then the close, without a reply.
        #expect(lines.allSatisfy { $0.hasPrefix("+OK") } && lines.count <= 1, "\(lines)")
        try await waitUntil("the session ended by the login timeout") { Self.endedByLoginTimeout(fixture.events) }
        await fixture.stop()
    }

    /// Once logged in, the login deadline is over: the session outlives it and still
    /// answers (only the idle timeout, long here, could end it). The credentials go out
    /// with the connection, and the deadline leaves time for the passphrase check and for
    /// late wake-ups on a loaded machine.
    @Test func aLoggedInSessionOutlivesTheLoginTimeout() async throws {
        let loginTimeout = Duration.seconds(30)
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginTimeout = loginTimeout
        }
        let connected = ContinuousClock.now
        let client = try await POP3LineClient(port: fixture.port)
        try await client.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await client.readLine()?.hasPrefix("+OK") == true)
        let login = try await client.readLines(count: 2)
        #expect(login.last?.hasPrefix("+OK") == true, "\(login)")
        // Well past the login deadline (the server may have accepted late; a late timer can
        // only make this wait longer).
        try await Task.sleep(until: connected + loginTimeout + .seconds(10))
        try await client.send("STAT\r\n")
        #expect(try await client.readLine() == "+OK \(POP3TestMessages.all.count) \(POP3TestMessages.all.reduce(0) { $0 + WireForm.of($1).count })")
        try await client.send("QUIT\r\n")
        _ = try await client.readToEnd()
        await client.close()
        await fixture.stop()
        #expect(!Self.endedByLoginTimeout(fixture.events))
    }

    @Test func invalidLoginTimeoutsAreRefused() async throws {
        for timeout in [Duration.zero, .seconds(-1), .seconds(400 * 24 * 3600)] {
            var configuration = POP3Server.Configuration()
            configuration.loginTimeout = timeout
            await #expect(throws: MailAccessError.invalidConfiguration) {
                _ = try await POP3Server(
                    address: try SocketAddress("127.0.0.1:0"), configuration: configuration,
                    authenticator: InMemoryMailAccessAuthenticator(store: InMemoryMailboxStore()))
            }
        }
    }

    /// The maildrop at login: one metadata fetch, no message content read, sizes in RFC
    /// 5322 form (what LIST shows and RETR sends before byte-stuffing, less a CRLF added
    /// after a last line without one), `\Deleted` hidden.
    @Test func maildropIsListedFromStoredSizes() async throws {
        let base = InMemoryMailbox()
        let messages = POP3TestMessages.all + POP3TestMessages.lineEndings
        for message in messages { try await base.append(message, to: "INBOX") }
        _ = try await base.store(.add(.deleted), on: UIDSet([2]), in: "INBOX")
        let counting = IMAPCountingMailbox(base)
        let maildrop = try await POP3Maildrop.load(from: counting, folder: "INBOX")
        #expect(counting.counts.contentFetches == 0)
        var expected = messages.enumerated().map { (UInt32($0.offset + 1), WireForm.of($0.element).count) }
        expected.remove(at: 1)
        #expect(maildrop.messages.map(\.uid) == expected.map(\.0))
        #expect(maildrop.messages.map(\.size) == expected.map(\.1))
    }
}
