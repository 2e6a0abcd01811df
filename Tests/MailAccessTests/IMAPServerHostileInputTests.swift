import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Hostile input over raw loopback sockets (issue #17's list): unterminated literals, a
/// 100 MB literal announced, 10,000 nested parentheses in FETCH, invalid UTF-8 mailbox
/// names, commands before login, a login flood, junk without end. Each gets a typed `BAD`
/// or `NO` (or `* BYE` and a close where the framing is lost), the server does not crash,
/// a bystander session on the same mailbox still works, and the mailbox is unchanged.
@Suite struct IMAPServerHostileInputTests {
    /// A logged-in client on `fixture` with INBOX selected.
    static func selectedClient(_ fixture: IMAPServerFixture, tag: String) async throws -> POP3LineClient {
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        let login = try await client.command("\(tag)1 LOGIN alice secret1")
        #expect(login.last?.hasPrefix("\(tag)1 OK") == true, "\(login)")
        let select = try await client.command("\(tag)2 SELECT INBOX")
        #expect(select.last?.hasPrefix("\(tag)2 OK") == true, "\(select)")
        return client
    }

    @Test func hostileCommandsAreRefusedAndABystanderGoesOn() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let bystander = try await Self.selectedClient(fixture, tag: "b")
        let attacker = try await Self.selectedClient(fixture, tag: "h")
        let count = POP3TestMessages.all.count

        let nested = String(repeating: "(", count: 10_000) + "FLAGS" + String(repeating: ")", count: 10_000)
        #expect(try await attacker.command("h3 FETCH 1 \(nested)").last?.hasPrefix("h3 BAD") == true)
        // 8-bit bytes that are not UTF-8, before UTF-8 names are enabled and after.
        try await attacker.send(Array("h4 SELECT \"".utf8) + [0xff, 0xfe, 0x80] + Array("\"\r\n".utf8))
        let invalidName = try #require(try await attacker.readUntilTagged("h4").last)
        #expect(invalidName.hasPrefix("h4 NO") || invalidName.hasPrefix("h4 BAD"), "\(invalidName)")
        try await attacker.send(Array("h5 CREATE ".utf8) + [0xc3, 0x28] + Array("\r\n".utf8))
        let invalidCreate = try #require(try await attacker.readUntilTagged("h5").last)
        #expect(invalidCreate.hasPrefix("h5 NO") || invalidCreate.hasPrefix("h5 BAD"), "\(invalidCreate)")
        // 100 MB announced: refused before a byte of it is asked for (no continuation).
        #expect(try await attacker.command("h6 APPEND INBOX {104857600}").last?.hasPrefix("h6 NO [TOOBIG]") == true)
        #expect(try await attacker.command("h7 SEARCH TEXT {104857600}").last?.hasPrefix("h7 BAD [TOOBIG]") == true)
        #expect(try await attacker.command("h8 STATUS INBOX (MESSAGES)").last?.hasPrefix("h8 OK") == true)

        // The bystander on the same mailbox sees every message.
        let status = try await bystander.command("b3 STATUS INBOX (MESSAGES)")
        #expect(status == ["* STATUS INBOX (MESSAGES \(count))", "b3 OK STATUS completed"] || status.first == "* STATUS INBOX (MESSAGES \(count))", "\(status)")

        // A 100 MB non-synchronising literal is already on its way: BAD, BYE, close.
        try await attacker.send("h9 APPEND INBOX {104857600+}\r\n" + String(repeating: "x", count: 4096))
        let last = try await attacker.readToEnd()
        #expect(last.first?.hasPrefix("h9 BAD [TOOBIG]") == true || last.first?.hasPrefix("h9 NO [TOOBIG]") == true, "\(last)")
        #expect(last.contains { $0.hasPrefix("* BYE") })
        await attacker.close()

        // Invalid UTF-8 once UTF-8 names are on (RFC 6855): refused, no folder made.
        let utf8 = try await fixture.rawClient()
        _ = try await utf8.readLine()
        #expect(try await utf8.command("u1 LOGIN alice secret1").last?.hasPrefix("u1 OK") == true)
        #expect(try await utf8.command("u2 ENABLE UTF8=ACCEPT").last?.hasPrefix("u2 OK") == true)
        let foldersBefore = try await utf8.command("u3 LIST \"\" *").filter { $0.hasPrefix("* LIST") }
        for (index, bytes) in [[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00]].enumerated() {
            try await utf8.send(Array("v\(index) CREATE \"".utf8) + bytes.map(UInt8.init) + Array("\"\r\n".utf8))
            let reply = try #require(try await utf8.readUntilTagged("v\(index)").last)
            #expect(reply.hasPrefix("v\(index) NO") || reply.hasPrefix("v\(index) BAD"), "\(bytes): \(reply)")
        }
        #expect(try await utf8.command("u4 LIST \"\" *").filter { $0.hasPrefix("* LIST") } == foldersBefore)
        await utf8.close()

        #expect(try await bystander.command("b4 NOOP").last?.hasPrefix("b4 OK") == true)
        #expect(try await bystander.command("b5 LOGOUT").last == "b5 OK LOGOUT completed")
        await bystander.close()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
        await fixture.stop()
    }

    @Test func commandsBeforeLoginAreRefused() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        for (index, line) in ["SELECT INBOX", "FETCH 1 BODY[]", "STORE 1 +FLAGS (\\Deleted)", "EXPUNGE", "IDLE", "ENABLE UTF8=ACCEPT",
                              "CREATE x", "DELETE INBOX", "UID EXPUNGE 1:*"].enumerated() {
            let reply = try await client.command("x\(index) \(line)")
            #expect(reply == ["x\(index) BAD Log in first"], "\(line): \(reply)")
        }
        // An APPEND before login gets no continuation: nobody unknown may send a message body.
        #expect(try await client.command("y1 APPEND INBOX {5}").last?.hasPrefix("y1 NO [TOOBIG]") == true)
        // Nor a large literal anywhere.
        #expect(try await client.command("y2 LOGIN alice {10000}").last?.hasPrefix("y2 BAD [TOOBIG]") == true)
        #expect(try await client.command("y3 LOGOUT").last == "y3 OK LOGOUT completed")
        await client.close()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
        await fixture.stop()
    }

    @Test func junkWithoutEndIsCutOff() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        // Twenty BADs in a row end the session.
        let junk = try await fixture.rawClient()
        _ = try await junk.readLine()
        try await junk.send((0..<25).map { "j\($0) FROB\r\n" }.joined())
        let replies = try await junk.readToEnd()
        #expect(replies.filter { $0.contains(" BAD ") }.count == 20)
        #expect(replies.last == "* BYE Too many invalid commands")
        // A line longer than the parser takes (8,192 octets before login) closes at once.
        let long = try await fixture.rawClient()
        _ = try await long.readLine()
        try await long.send("a1 LOGIN " + String(repeating: "a", count: 9_000))
        let longReplies = try await long.readToEnd()
        #expect(longReplies.first?.hasPrefix("a1 BAD") == true && longReplies.last?.hasPrefix("* BYE") == true, "\(longReplies)")
        // Another client still gets in.
        let client = try await fixture.rawClient()
        #expect(try await client.readLine()?.hasPrefix("* OK [CAPABILITY") == true)
        #expect(try await client.command("c1 LOGIN alice secret1").last?.hasPrefix("c1 OK") == true)
        await client.close()
        await fixture.stop()
    }

    @Test func unterminatedLiteralMeetsTheAutologout() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.idleTimeout = .seconds(3)
        }
        let client = try await fixture.rawClient()
        // In one write, so only the server's wait counts: the literal never ends.
        try? await client.send("u1 LOGIN alice {20}\r\nsecr")
        let lines = (try? await client.readToEnd()) ?? []
        #expect(lines.first?.hasPrefix("* OK [CAPABILITY") == true)
        #expect(lines.last == "* BYE Autologout; idle for too long", "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("u1 ") })
        await client.close()
        await fixture.stop()
        #expect(fixture.events.contains { if case .sessionEnded(.imap, .timedOut, _, _) = $0 { return true } else { return false } })
        #expect(!fixture.events.contains { if case .login = $0 { return true } else { return false } })
    }

    @Test func aClientGoneInTheMiddleOfALiteralLeavesTheServerServing() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let quitter = try await fixture.rawClient()
        _ = try await quitter.readLine()
        try await quitter.send("u2 LOGIN alice {20}\r\n")
        #expect(try await quitter.readLine() == "+ Ready for literal data")
        try await quitter.send("sec")
        await quitter.close()
        let next = try await fixture.rawClient()
        _ = try await next.readLine()
        #expect(try await next.command("n1 LOGIN alice secret1").last?.hasPrefix("n1 OK") == true)
        await next.close()
        await fixture.stop()
        #expect(fixture.events.contains { if case .sessionEnded(.imap, .clientClosed, _, _) = $0 { return true } else { return false } })
    }

    @Test func aLoginFloodIsRateLimitedAndTheRightPasswordWaits() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginRateLimiter = .withoutFailureDelay { $0.maximumFailuresPerAddress = 5 }
        }
        let bystander = try await Self.selectedClient(fixture, tag: "b")
        let flood = try await fixture.rawClient()
        _ = try await flood.readLine()
        // Fifty guesses pipelined in one write.
        try await flood.send((0..<50).map { "f\($0) LOGIN alice guess\($0)\r\n" }.joined())
        var replies: [String] = []
        while replies.count < 50, let line = try await flood.readLine() { replies.append(line) }
        #expect(replies.prefix(5).allSatisfy { $0.contains("NO [AUTHENTICATIONFAILED]") }, "\(replies.prefix(6))")
        #expect(replies.dropFirst(5).allSatisfy { $0.contains("NO [UNAVAILABLE]") })
        // The limit holds for the right password too (from this address), without asking the mailbox.
        #expect(try await flood.command("r1 LOGIN alice secret1").last?.hasPrefix("r1 NO [UNAVAILABLE]") == true)
        await flood.close()
        #expect(try await bystander.command("b3 NOOP").last?.hasPrefix("b3 OK") == true)
        await bystander.close()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
        await fixture.stop()
        let results = fixture.events.compactMap { event -> MailAccessEvent.LoginResult? in
            if case .login(.imap, let result, _) = event { return result }
            return nil
        }
        #expect(results.filter { $0 == .refused }.count == 5 && results.filter { $0 == .rateLimited }.count == 46)
    }

    @Test func failuresForOneNameLimitThatNameOnly() async throws {
        let fixture = try await IMAPServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginRateLimiter = .withoutFailureDelay { $0.maximumFailuresPerLogin = 3 }
        }
        let client = try await fixture.rawClient()
        _ = try await client.readLine()
        for index in 0..<3 {
            #expect(try await client.command("g\(index) LOGIN bob wrong").last?.hasPrefix("g\(index) NO [AUTHENTICATIONFAILED]") == true)
        }
        #expect(try await client.command("g3 LOGIN bob secret2").last?.hasPrefix("g3 NO [UNAVAILABLE]") == true)
        #expect(try await client.command("g4 LOGIN alice secret1").last?.hasPrefix("g4 OK") == true)
        await client.close()
        await fixture.stop()
    }
}
