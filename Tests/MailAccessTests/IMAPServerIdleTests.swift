import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// IDLE (RFC 2177) across sessions: an APPEND from a second connection and a delivery by
/// the forwarder (straight into the shared mailbox) wake an idling client with EXISTS, an
/// EXPUNGE reaches it as EXPUNGE; `DONE` ends it; a quiet IDLE gets keepalives; the
/// autologout and the server's shutdown end it with `* BYE`. No wall-clock bound is
/// asserted: each test only waits for what must arrive.
@Suite struct IMAPServerIdleTests {
    static let newMessage = "Subject: arrives while idling\r\nFrom: erin@example.org\r\n\r\nhello\r\n"

    /// Lines until one satisfies `until` (or the connection ends).
    static func lines(from client: POP3LineClient, until: (String) -> Bool) async throws -> [String] {
        var lines: [String] = []
        while let line = try await client.readLine() {
            lines.append(line)
            if until(line) { break }
        }
        return lines
    }

    @Test func appendFromAnotherSessionAndDeliveryWakeIdle() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let count = POP3TestMessages.all.count
        let watcher = try await IMAPServerHostileInputTests.selectedClient(fixture, tag: "w")
        let other = try await IMAPServerHostileInputTests.selectedClient(fixture, tag: "a")
        try await watcher.send("w3 IDLE\r\n")
        #expect(try await watcher.readLine() == "+ idling")

        try await other.send("a3 APPEND INBOX {\(Self.newMessage.utf8.count)+}\r\n\(Self.newMessage)\r\n")
        #expect(try await other.readUntilTagged("a3").last?.hasPrefix("a3 OK") == true)
        let woken = try await Self.lines(from: watcher) { $0.hasSuffix(" EXISTS") }
        #expect(woken.last == "* \(count + 1) EXISTS", "\(woken)")

        // The forwarder delivers into the same open mailbox.
        try await fixture.deliver(Array(Self.newMessage.utf8))
        let delivered = try await Self.lines(from: watcher) { $0.hasSuffix(" EXISTS") }
        #expect(delivered.last == "* \(count + 2) EXISTS", "\(delivered)")

        try await watcher.send("DONE\r\n")
        #expect(try await watcher.readUntilTagged("w3").last == "w3 OK IDLE terminated")

        // An expunge in the other session reaches the next IDLE.
        #expect(try await other.command("a4 STORE 1 +FLAGS.SILENT (\\Deleted)").last?.hasPrefix("a4 OK") == true)
        try await watcher.send("w4 IDLE\r\n")
        #expect(try await watcher.readLine() == "+ idling")
        #expect(try await other.command("a5 EXPUNGE").last?.hasPrefix("a5 OK") == true)
        let expunged = try await Self.lines(from: watcher) { $0.hasSuffix(" EXPUNGE") }
        #expect(expunged.last == "* 1 EXPUNGE", "\(expunged)")
        try await watcher.send("DONE\r\n")
        #expect(try await watcher.readUntilTagged("w4").last == "w4 OK IDLE terminated")
        // Anything but DONE ends IDLE with BAD and the connection (RFC 2177 allows only
        // DONE; the line might have announced a literal): w6 is never run.
        try await watcher.send("w5 IDLE\r\n")
        #expect(try await watcher.readLine() == "+ idling")
        try await watcher.send("w6 NOOP\r\n")
        #expect(try await watcher.readUntilTagged("w5").last == "w5 BAD Expected DONE")
        let rest = try await watcher.readToEnd()
        #expect(rest.first?.hasPrefix("* BYE") == true, "\(rest)")
        #expect(!rest.contains { $0.hasPrefix("w6") }, "\(rest)")
        await watcher.close()
        await other.close()
        await fixture.stop()
    }

    @Test func oneAppendWakesTwentyIdlingSessions() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.maximumSessionsPerUser = 30
            configuration.limits.maximumSessionsPerAddress = 30
        }
        var watchers: [POP3LineClient] = []
        for index in 0..<20 {
            let watcher = try await IMAPServerHostileInputTests.selectedClient(fixture, tag: "w\(index)x")
            try await watcher.send("w\(index)x3 IDLE\r\n")
            #expect(try await watcher.readLine() == "+ idling")
            watchers.append(watcher)
        }
        try await fixture.deliver(Array(Self.newMessage.utf8))
        let count = POP3TestMessages.all.count
        for (index, watcher) in watchers.enumerated() {
            let lines = try await Self.lines(from: watcher) { $0.hasSuffix(" EXISTS") }
            #expect(lines.last == "* \(count + 1) EXISTS", "watcher \(index): \(lines)")
            try await watcher.send("DONE\r\n")
            #expect(try await watcher.readUntilTagged("w\(index)x3").last == "w\(index)x3 OK IDLE terminated")
            await watcher.close()
        }
        await fixture.stop()
    }

    @Test func quietIdleGetsKeepalives() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.idleKeepaliveInterval = .milliseconds(100)
        }
        let client = try await IMAPServerHostileInputTests.selectedClient(fixture, tag: "k")
        try await client.send("k3 IDLE\r\n")
        #expect(try await client.readLine() == "+ idling")
        #expect(try await client.readLine() == "* OK Still here")
        try await client.send("DONE\r\n")
        let rest = try await client.readUntilTagged("k3")
        #expect(rest.last == "k3 OK IDLE terminated" && rest.dropLast().allSatisfy { $0 == "* OK Still here" }, "\(rest)")
        await client.close()
        await fixture.stop()
    }

    @Test func theAutologoutEndsAnIdleNotRenewed() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.idleKeepaliveInterval = nil
            // Long enough for the test's task to write after connecting on a loaded machine.
            configuration.limits.idleTimeout = .seconds(20)
        }
        let client = try await fixture.rawClient()
        // Pipelined, so the test's own pace never meets the autologout before IDLE.
        try await client.send("k1 LOGIN alice secret1\r\nk2 SELECT INBOX\r\nk3 IDLE\r\n")
        let lines = try await client.readToEnd()
        #expect(lines.contains("+ idling") && lines.contains { $0.hasPrefix("k2 OK") }, "\(lines)")
        #expect(lines.last == "* BYE Autologout; idle for too long")
        await client.close()
        await fixture.stop()
        #expect(fixture.events.contains { if case .sessionEnded(.imap, .timedOut, _, _) = $0 { return true } else { return false } })
    }

    @Test func shutdownSaysByeToIdlingAndWaitingSessions() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let idling = try await IMAPServerHostileInputTests.selectedClient(fixture, tag: "i")
        let waiting = try await IMAPServerHostileInputTests.selectedClient(fixture, tag: "j")
        let anonymous = try await fixture.rawClient()
        _ = try await anonymous.readLine()
        try await idling.send("i3 IDLE\r\n")
        #expect(try await idling.readLine() == "+ idling")
        await fixture.stop()
        #expect(try await idling.readToEnd() == ["* BYE Server shutting down"])
        #expect(try await waiting.readToEnd() == ["* BYE Server shutting down"])
        #expect(try await anonymous.readToEnd() == ["* BYE Server shutting down"])
        await idling.close()
        await waiting.close()
        await anonymous.close()
    }

    struct IdleResult: Decodable {
        var responses: [String]
        var done: String
    }

    /// PyPI imapclient's `idle()`/`idle_check()`/`idle_done()` (nobody here wrote it) over
    /// STARTTLS, woken by an APPEND from a second imapclient connection.
    @Test(.enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["imapclient"]))))
    func imapclientIdleIsWokenByAnAppend() async throws {
        let fixture = try await IMAPServerFixture.start()
        let result = try await fixture.python(#"""
            from imapclient import IMAPClient
            def connect():
                client = IMAPClient("127.0.0.1", port=config["port"], ssl=False, timeout=120)
                client.starttls(ssl_context=context)
                client.login("alice", "secret1")
                return client
            watcher, other = connect(), connect()
            watcher.select_folder("INBOX")
            watcher.idle()
            other.append("INBOX", extra["message"].encode())
            seen = []
            deadline = time.time() + 300
            while time.time() < deadline and not any(r[1:] == (b"EXISTS",) for r in seen):
                seen += [tuple(r) for r in watcher.idle_check(timeout=5)]
            done = watcher.idle_done()
            watcher.logout()
            other.logout()
            print(json.dumps({"responses": [" ".join(text(x) if isinstance(x, bytes) else str(x) for x in r) for r in seen],
                              "done": text(done[0])}))
            """#, extra: ["message": Self.newMessage], as: IdleResult.self)
        #expect(result.responses.contains("\(POP3TestMessages.all.count + 1) EXISTS"), "\(result.responses)")
        #expect(result.done == "IDLE terminated")
        await fixture.stop()
    }
}
