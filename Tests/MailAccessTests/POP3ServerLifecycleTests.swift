import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import EncryptedMailbox
import MailAccess
import Testing

/// The idle timeout (RFC 1939 section 3: the autologout timer closes the connection without
/// UPDATE and without any response) and the graceful shutdown (`-ERR` and close): neither
/// removes a message marked with DELE.
@Suite struct POP3ServerLifecycleTests {
    @Test func idleSessionIsLoggedOutWithoutRemovingAnything() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            // Long enough that the pipelined commands below arrive inside it even when the
            // test's task wakes late after connecting; the timeout then fires after DELE.
            configuration.limits.idleTimeout = .seconds(10)
        }
        let client = try await POP3LineClient(port: fixture.port)
        try await client.send("USER alice\r\nPASS secret1\r\nDELE 1\r\n")
        // Every byte up to the close, read raw so that even a partial line would show.
        var received: [UInt8] = []
        while true {
            let bytes = try await client.connection.read(maximumCount: 65_536, deadline: .now + .seconds(120))
            if bytes.isEmpty { break }
            received += bytes
        }
        await client.close()
        // The greeting and the replies to USER, PASS and DELE, each a whole line; after
        // DELE's reply the client reads end of file: no byte came with the timeout.
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"), "\(text.suffix(80))")
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("+OK") }, "\(lines)")
        try await waitUntil("the session ended") { fixture.events.contains { if case .sessionEnded(_, .timedOut, _, _) = $0 { true } else { false } } }
        await fixture.stop()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
    }

    @Test func drippingBytesDoesNotExtendTheIdleTimeout() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.idleTimeout = .milliseconds(500)
        }
        let client = try await POP3LineClient(port: fixture.port)
        _ = try await client.readLine()
        // One byte of a command that never ends, every 100 ms: the wait is for a complete
        // command, so the session still ends (the loop only bounds a hang).
        var drips = 0
        while drips < 3_000, (try? await client.send("N")) != nil {
            drips += 1
            if fixture.events.contains(where: { if case .sessionEnded(_, .timedOut, _, _) = $0 { true } else { false } }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(fixture.events.contains { if case .sessionEnded(_, .timedOut, _, _) = $0 { true } else { false } })
        await client.close()
        await fixture.stop()
    }

    @Test func plaintextOnTheImplicitTLSPortIsClosed() async throws {
        let fixture = try await POP3ServerFixture.start()
        let client = try await POP3LineClient(port: try #require(fixture.implicitTLSPort))
        try await client.send("USER alice\r\nPASS secret1\r\n")
        // No POP3 reply in plaintext: the handshake fails and the connection closes.
        #expect(try await client.readToEnd().allSatisfy { !$0.hasPrefix("+OK") })
        await client.close()
        let ok = try await fixture.script(["connect", "user alice", "pass secret1", "stat", "quit"]).run()
        #expect(ok[2].ok && ok[4].ok)
        await fixture.stop()
    }

    @Test func closeEndsIdleSessionsAndRunReturns() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await POP3LineClient(port: fixture.port)
        _ = try await client.readLine()
        try await client.send("USER alice\r\nPASS secret1\r\nDELE 1\r\n")
        #expect(try await client.readLines(count: 3).last?.hasPrefix("+OK") == true)
        await fixture.stop()  // close() and run()'s return
        #expect(try await client.readToEnd() == ["-ERR [SYS/TEMP] server shutting down"])
        await client.close()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
        // Nothing listens any more.
        await #expect(throws: NetworkError.self) {
            _ = try await TCPConnection.connect(to: SocketAddress(address: .loopbackIPv4, port: fixture.port), deadline: .now + .seconds(30))
        }
    }

    @Test func implicitTLSPortNeedsACertificate() async throws {
        let authenticator = InMemoryMailAccessAuthenticator(store: InMemoryMailboxStore())
        await #expect(throws: MailAccessError.invalidConfiguration) {
            _ = try await POP3Server(
                address: try SocketAddress("127.0.0.1:0"), implicitTLSAddress: try SocketAddress("127.0.0.1:0"),
                configuration: POP3Server.Configuration(), authenticator: authenticator)
        }
    }
}
