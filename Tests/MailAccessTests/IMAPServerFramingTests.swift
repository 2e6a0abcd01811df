import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// The server's framing and deadlines over raw loopback sockets: no continuation for a
/// literal of a command that can only be refused (RFC 9051 section 4.3), a MULTIAPPEND over
/// its total refused before its literal, a line other than DONE during IDLE ends the
/// connection (RFC 2177), and the deadlines of login and of a command (RFC 9051 section 5.4).
@Suite struct IMAPServerFramingTests {
    /// A logged-in client on `fixture`.
    static func loggedIn(_ fixture: IMAPServerFixture, tag: String) async throws -> POP3LineClient {
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        let login = try await client.command("\(tag)1 LOGIN alice secret1")
        #expect(login.last?.hasPrefix("\(tag)1 OK") == true, "\(login)")
        return client
    }

    /// Before TLS, LOGIN is disabled: `a LOGIN {5}` gets its `NO [PRIVACYREQUIRED]` at
    /// once instead of `+`, so the client never sends its password in plaintext; a command
    /// that needs a login gets `BAD` instead of `+`; the connection goes on.
    @Test func noContinuationForACommandThatCanOnlyBeRefused() async throws {
        let fixture = try await IMAPServerFixture.start(tls: true)
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        try await client.send("a LOGIN {5}\r\n")
        let login = try #require(try await client.readLine())
        #expect(login.hasPrefix("a NO [PRIVACYREQUIRED]"), "\(login)")
        try await client.send("b SELECT {5}\r\n")
        let select = try #require(try await client.readLine())
        #expect(select.hasPrefix("b BAD"), "\(select)")
        let capability = try await client.command("c CAPABILITY")
        #expect(capability.last?.hasPrefix("c OK") == true, "\(capability)")
        #expect(!capability.contains { $0.hasPrefix("+") })
        await client.close()
        await fixture.stop()
    }

    /// After login a second LOGIN with a literal is refused at once too; SELECT with a
    /// literal still gets its continuation.
    @Test func afterLoginOnlyLoginIsRefusedAtItsLiteral() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await Self.loggedIn(fixture, tag: "a")
        try await client.send("b LOGIN {5}\r\n")
        let login = try #require(try await client.readLine())
        #expect(login.hasPrefix("b BAD"), "\(login)")
        try await client.send("c SELECT {5}\r\n")
        #expect(try await client.readLine()?.hasPrefix("+") == true)
        try await client.send("INBOX\r\n")
        let select = try await client.readUntilTagged("c")
        #expect(select.last?.hasPrefix("c OK") == true, "\(select)")
        await client.close()
        await fixture.stop()
    }

    /// A MULTIAPPEND whose second message would pass `maximumAppendTotalSize` gets `NO
    /// [TOOBIG]` when that literal is announced (no `+`), nothing is stored, and the
    /// session goes on.
    @Test func multiappendOverTheTotalIsRefusedBeforeItsLiteral() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.parser.maximumAppendSize = 4_096
            configuration.parser.maximumAppendTotalSize = 4_096
        }
        let before = try await fixture.inboxContents()
        let client = try await Self.loggedIn(fixture, tag: "a")
        let message = "Subject: one\r\n\r\n" + String(repeating: "x", count: 3_000 - 18) + "\r\n"
        #expect(message.utf8.count == 3_000)
        try await client.send("b APPEND INBOX {3000}\r\n")
        #expect(try await client.readLine()?.hasPrefix("+") == true)
        try await client.send(message + " {3000}\r\n")
        let refusal = try #require(try await client.readLine())
        #expect(refusal.hasPrefix("b NO [TOOBIG]"), "\(refusal)")
        let noop = try await client.command("c NOOP")
        #expect(noop.last?.hasPrefix("c OK") == true, "\(noop)")
        #expect(try await fixture.inboxContents() == before)
        await client.close()
        await fixture.stop()
    }

    /// Before login, APPEND lines ending in `{0+}` count toward the command size: the
    /// server answers and closes after a few of them.
    @Test func appendLinesBeforeLoginAreBounded() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        let line = String(repeating: "x", count: 8_191 - 6) + "{0+}\r\n"
        try await client.send("a APPEND x {0+}\r\n")
        // Enough lines to pass 16,384 bytes; the server closes once it has.
        for _ in 0..<4 { try await client.send(line) }
        let rest = try await client.readToEnd()
        #expect(rest.first?.hasPrefix("a BAD") == true, "\(rest)")
        #expect(rest.contains { $0.hasPrefix("* BYE") }, "\(rest)")
        await client.close()
        await fixture.stop()
    }

    /// During IDLE a line other than DONE (here one announcing a literal) ends the
    /// connection with `* BYE`: the command pipelined after it is never run.
    @Test func aLineOtherThanDoneDuringIdleClosesTheConnection() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await Self.loggedIn(fixture, tag: "a")
        #expect(try await client.command("a2 SELECT INBOX").last?.hasPrefix("a2 OK") == true)
        try await client.send("a3 IDLE\r\n")
        #expect(try await client.readLine()?.hasPrefix("+") == true)
        try await client.send("x LOGIN {6}\r\nsecret\r\na4 NOOP\r\n")
        var lines: [String] = []
        while let line = try await client.readLine() {
            lines.append(line)
            if line.hasPrefix("a4 ") { break }
        }
        #expect(lines.contains { $0.hasPrefix("a3 BAD") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("* BYE") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("a4 ") }, "\(lines)")
        await client.close()
        await fixture.stop()
    }

    /// AUTHENTICATE PLAIN answered through the continuation (imaplib's `authenticate()`)
    /// ends the login's deadline: the session outlives the login timeout (30 s here) and
    /// answers a NOOP after it (the autologout time is the 30-minute idle timeout).
    @Test func authenticateByContinuationLeavesTheLoginDeadline() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            // Long enough for the whole login on a loaded machine (the login deadline counts
            // from the connection; commands before login do not restart it): 4 s was not,
            // with the full suite running on 2 cores, and the client's four steps before
            // its credentials arrive can each wake late.
            configuration.loginTimeout = .seconds(30)
        }
        let connected = ContinuousClock.now
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        try await client.send("a AUTHENTICATE PLAIN\r\n")
        #expect(try await client.readLine()?.hasPrefix("+") == true)
        try await client.send(Data("\0alice\0secret1".utf8).base64EncodedString() + "\r\n")
        let login = try await client.readUntilTagged("a")
        #expect(login.last?.hasPrefix("a OK") == true, "\(login)")
        // Well past the login deadline (the server may have accepted late; a late timer can
        // only make this wait longer).
        try await Task.sleep(until: connected + .seconds(40))
        let noop = try await client.command("b NOOP")
        #expect(noop.last?.hasPrefix("b OK") == true, "\(noop)")
        #expect(!noop.contains { $0.hasPrefix("* BYE") }, "\(noop)")
        await client.close()
        await fixture.stop()
    }

    /// The command deadline starts at the command's first byte: a client idle for most of
    /// the autologout time that then starts an APPEND gets the whole time for it. The two
    /// pauses together pass the autologout time by 5 s (a late wake-up only adds to that);
    /// each is 20 s short of it, room for the client's late wake-ups when the full suite
    /// keeps both cores busy (8 s was not: CI once saw the literal arrive after the deadline).
    @Test func theCommandDeadlineStartsAtItsFirstByte() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.idleTimeout = .seconds(45)
        }
        let client = try await Self.loggedIn(fixture, tag: "a")
        try await Task.sleep(for: .seconds(25))
        let message = "Subject: late\r\n\r\nbody\r\n"
        try await client.send("b APPEND INBOX {\(message.utf8.count)}\r\n")
        #expect(try await client.readLine()?.hasPrefix("+") == true)
        try await Task.sleep(for: .seconds(25))
        try await client.send(message + "\r\n")
        let append = try await client.readUntilTagged("b")
        #expect(append.last?.hasPrefix("b OK") == true, "\(append)")
        await client.close()
        await fixture.stop()
    }

    /// A shutdown while an APPEND's literal is arriving lets the command finish: the rest
    /// of the literal is read, the message stored, and only then `* BYE`.
    @Test func shutdownLetsAnAppendMidLiteralFinish() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let before = try await fixture.inboxContents()
        let client = try await Self.loggedIn(fixture, tag: "a")
        let message = "Subject: during shutdown\r\n\r\n" + String(repeating: "y", count: 2_000) + "\r\n"
        let bytes = Array(message.utf8)
        try await client.send("b APPEND INBOX {\(bytes.count)}\r\n")
        #expect(try await client.readLine()?.hasPrefix("+") == true)
        try await client.send(Array(bytes[..<1_000]))
        // Give the server time to take the first half (a late timer only delays the close).
        try await Task.sleep(for: .milliseconds(300))
        fixture.server.close()
        try await client.send(Array(bytes[1_000...]) + Array("\r\n".utf8))
        let rest = try await client.readToEnd()
        #expect(rest.first?.hasPrefix("b OK") == true, "\(rest)")
        #expect(rest.last?.hasPrefix("* BYE") == true, "\(rest)")
        #expect(try await fixture.inboxContents().count == before.count + 1)
        await client.close()
        await fixture.stop()
    }
}
