import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Connection and session limits: connections per client address (`* BYE [UNAVAILABLE]`
/// then close), sessions per member counted across IMAP and POP3 when they share a
/// ``MailAccessSessionTable`` (`NO [ALERT]`, `-ERR`), and counts released when sessions end.
@Suite struct IMAPServerLimitsTests {
    @Test func connectionsPerAddressAreLimited() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.maximumSessionsPerAddress = 2
        }
        let first = try await fixture.rawClient(), second = try await fixture.rawClient()
        #expect(try await first.readLine()?.hasPrefix("* OK") == true)
        #expect(try await second.readLine()?.hasPrefix("* OK") == true)
        let third = try await fixture.rawClient()
        #expect(try await third.readToEnd() == ["* BYE [UNAVAILABLE] Too many connections, try again later"])
        await third.close()
        #expect(try await first.command("f1 LOGOUT").last == "f1 OK LOGOUT completed")
        await first.close()
        // The count is released: a new connection gets in (once the server has counted the first out).
        try await waitUntil("the first connection counted out") { fixture.server.configuration.sessions.connectionCount == 1 }
        let fourth = try await fixture.rawClient()
        #expect(try await fourth.readLine()?.hasPrefix("* OK") == true)
        await fourth.close()
        await second.close()
        await fixture.stop()
        #expect(fixture.events.contains { if case .sessionEnded(.imap, .refused, _, _) = $0 { return true } else { return false } })
    }

    @Test func clientsThatNeverLogInMeetTheShorterLoginTimeout() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginTimeout = .seconds(1)
        }
        // The 30-minute autologout still holds; only the login timeout can end this.
        #expect(fixture.server.configuration.limits.idleTimeout == .seconds(1800))
        let idle = try await fixture.rawClient()
        let lines = try await idle.readToEnd()
        #expect(lines.count == 2 && lines.first?.hasPrefix("* OK [CAPABILITY") == true)
        // Its own BYE text: the client may not have been idle.
        #expect(lines.last == "* BYE Autologout; not logged in in time")
        await idle.close()
        await fixture.stop()
    }

    /// The login deadline counts from the connection: commands before login do not
    /// restart it (else one NOOP a minute would hold a slot for ever).
    @Test func commandsBeforeLoginDoNotRestartTheLoginTimeout() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginTimeout = .seconds(2)
        }
        let client = try await fixture.rawClient()
        #expect(try await client.readLine()?.hasPrefix("* OK") == true)
        var sawBye = false
        // Far more than the login timeout of NOOPs, each well inside it.
        for index in 0..<40 where !sawBye {
            guard (try? await client.send("n\(index) NOOP\r\n")) != nil else { sawBye = true; break }
            let lines = (try? await client.readUntilTagged("n\(index)")) ?? []
            sawBye = lines.contains { $0.hasPrefix("* BYE") } || lines.last?.hasPrefix("n\(index) OK") != true
            if !sawBye { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(sawBye)
        await client.close()
        await fixture.stop()
        #expect(fixture.events.contains { if case .sessionEnded(.imap, .loginTimedOut, _, _) = $0 { return true } else { return false } })
    }

    @Test func plaintextOnTheIMAPSPortIsClosedAndTheServerServesOn() async throws {
        let fixture = try await IMAPServerFixture.start()
        let port = try #require(fixture.implicitTLSPort)
        let confused = try await POP3LineClient(port: port)
        try await confused.send("a1 LOGIN alice secret1\r\n")
        // No IMAP reply in plaintext: the handshake fails and the connection closes.
        let lines = (try? await confused.readToEnd()) ?? []
        #expect(!lines.contains { $0.hasPrefix("a1 ") || $0.hasPrefix("* OK") })
        await confused.close()
        try await waitUntil("the failed handshake counted") {
            fixture.events.contains { if case .sessionEnded(.imap, .tlsFailed, _, _) = $0 { return true } else { return false } }
        }
        let client = try await fixture.rawClient()
        #expect(try await client.readLine()?.hasPrefix("* OK [CAPABILITY") == true)
        await client.close()
        await fixture.stop()
    }

    @Test func sessionsPerMemberCountIMAPAndPOP3Together() async throws {
        let table = MailAccessSessionTable()
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.maximumSessionsPerUser = 1
            configuration.sessions = table
        }
        var pop3Configuration = POP3Server.Configuration(serverName: "pop.test")
        pop3Configuration.plaintextAuthentication = .allowedOnLoopback
        pop3Configuration.limits.maximumSessionsPerUser = 1
        pop3Configuration.sessions = table
        let pop3 = try await POP3Server(
            address: try SocketAddress("127.0.0.1:0"), configuration: pop3Configuration, authenticator: fixture.authenticator)
        let pop3Running = Task { _ = try? await pop3.run() }

        let imap = try await fixture.rawClient()
        _ = try await imap.readLine()
        #expect(try await imap.command("a1 LOGIN alice secret1").last?.hasPrefix("a1 OK") == true)
        let second = try await fixture.rawClient()
        _ = try await second.readLine()
        #expect(try await second.command("b1 LOGIN alice secret1").last?.hasPrefix("b1 NO [ALERT]") == true)
        // Another member is not affected.
        #expect(try await second.command("b2 LOGIN bob secret2").last?.hasPrefix("b2 OK") == true)

        let pop = try await POP3LineClient(port: pop3.localAddress.port)
        _ = try await pop.readLine()
        try await pop.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await pop.readLines(count: 2).last?.hasPrefix("-ERR") == true)
        // Once the IMAP session ends, POP3 gets in.
        #expect(try await imap.command("a2 LOGOUT").last == "a2 OK LOGOUT completed")
        await imap.close()
        try await waitUntil("alice's IMAP session counted out") { table.sessionCount(userID: "alice") == 0 }
        try await pop.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await pop.readLines(count: 2).last?.hasPrefix("+OK") == true)
        try await pop.send("QUIT\r\n")
        _ = try await pop.readToEnd()
        await pop.close()
        await second.close()
        pop3.close()
        await pop3Running.value
        await fixture.stop()
        #expect(fixture.events.contains(.login(.imap, .sessionRefused, overTLS: false)))
    }
}
