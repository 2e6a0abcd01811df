import MailAccess
import Testing

/// `run()` is the server's one accept loop: a second call (a supervisor retrying, or a
/// mistake) must fail on its own, without closing the ports or the sessions of the first.
@Suite struct MailAccessServerRunTests {
    @Test func aSecondRunFailsAndTheRunningIMAPServerGoesOn() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await fixture.rawClient()
        #expect(try await client.readLine()?.hasPrefix("* OK") == true)
        await #expect(throws: MailAccessError.self) { try await fixture.server.run() }
        let noop = try await client.command("a NOOP")
        #expect(noop.last?.hasPrefix("a OK") == true, "\(noop)")
        let second = try await fixture.rawClient()
        #expect(try await second.readLine()?.hasPrefix("* OK") == true)
        await second.close()
        await client.close()
        await fixture.stop()
    }

    @Test func aSecondRunFailsAndTheRunningPOP3ServerGoesOn() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await fixture.rawClient()
        #expect(try await client.readLine()?.hasPrefix("+OK") == true)
        await #expect(throws: MailAccessError.self) { try await fixture.server.run() }
        try await client.send("NOOP\r\n")
        // Not logged in: NOOP is refused, but by the running session.
        #expect(try await client.readLine()?.hasPrefix("-ERR") == true)
        let second = try await fixture.rawClient()
        #expect(try await second.readLine()?.hasPrefix("+OK") == true)
        await second.close()
        await client.close()
        await fixture.stop()
    }
}
