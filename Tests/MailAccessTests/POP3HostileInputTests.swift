import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Hostile clients over real sockets: overlong lines, NUL bytes, commands before login,
/// AUTH with garbage, 10,000 pipelined commands. Each gets a typed `-ERR` or is closed;
/// the server keeps serving another session meanwhile, and the mailbox is unchanged.
@Suite struct POP3HostileInputTests {
    static func start() async throws -> POP3ServerFixture {
        try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.maximumBadCommands = 10
        }
    }

    @Test func junkGetsErrorsThenClose() async throws {
        let fixture = try await Self.start()
        // A well-behaved session is logged in throughout.
        let bystander = try await POP3LineClient(port: fixture.port)
        _ = try await bystander.readLine()
        try await bystander.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await bystander.readLines(count: 2).last?.hasPrefix("+OK maildrop") == true)

        let hostile = try await POP3LineClient(port: fixture.port)
        #expect(try await hostile.readLine()?.hasPrefix("+OK") == true)
        try await hostile.send(Array(repeating: UInt8(ascii: "A"), count: 200_000) + [13, 10])
        #expect(try await hostile.readLine() == "-ERR line too long")
        try await hostile.send([0x55, 0x53, 0x45, 0x52, 0x00, 0x41, 13, 10])
        #expect(try await hostile.readLine() == "-ERR invalid characters in the command")
        try await hostile.send("STAT\r\nRETR 1\r\nDELE 1\r\n")
        #expect(try await hostile.readLines(count: 3).allSatisfy { $0 == "-ERR not allowed before login" })
        try await hostile.send("AUTH PLAIN %%%garbage%%%\r\n")
        #expect(try await hostile.readLine() == "-ERR the response is not valid base64")
        try await hostile.send("AUTH PLAIN\r\n")
        #expect(try await hostile.readLine() == "+ ")
        try await hostile.send("\u{1}\u{2}\r\n")
        #expect(try await hostile.readLine()?.hasPrefix("-ERR") == true)
        // The tenth bad command ends it.
        try await hostile.send(String(repeating: "XYZZY\r\n", count: 10))
        let rest = try await hostile.readToEnd()
        #expect(rest.last == "-ERR too many bad commands, closing")

        // The bystander is unaffected.
        try await bystander.send("STAT\r\n")
        #expect(try await bystander.readLine()?.hasPrefix("+OK \(POP3TestMessages.all.count) ") == true)
        try await bystander.send("QUIT\r\n")
        #expect(try await bystander.readLine()?.hasPrefix("+OK") == true)
        await hostile.close()
        await bystander.close()
        await fixture.stop()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
    }

    @Test func tenThousandPipelinedCommands() async throws {
        let fixture = try await Self.start()
        let client = try await POP3LineClient(port: fixture.port)
        _ = try await client.readLine()
        try await client.send("USER alice\r\nPASS secret1\r\n" + String(repeating: "NOOP\r\nSTAT\r\n", count: 5_000) + "LIST 1\r\nQUIT\r\n")
        let lines = try await client.readToEnd()
        #expect(lines.count == 2 + 10_000 + 2)
        #expect(lines.dropFirst(2).prefix(10_000).allSatisfy { $0 == "+OK" || $0.hasPrefix("+OK \(POP3TestMessages.all.count) ") })
        #expect(lines.last?.hasPrefix("+OK") == true)
        await client.close()
        await fixture.stop()
    }

    @Test func pipelinedRetrievalsStreamInOrder() async throws {
        let fixture = try await Self.start()
        let client = try await POP3LineClient(port: fixture.port)
        _ = try await client.readLine()
        try await client.send("USER alice\r\nPASS secret1\r\n" + String(repeating: "RETR 5\r\n", count: 200) + "QUIT\r\n")
        let lines = try await client.readToEnd()
        #expect(lines.filter { $0.hasPrefix("+OK \(POP3MessageEncoder.normalizedSize(of: POP3TestMessages.all[4])) octets") }.count == 200)
        #expect(lines.filter { $0 == "." }.count == 200)
        await client.close()
        await fixture.stop()
    }

    @Test func clientsOverTheAddressLimitAreTurnedAway() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.limits.maximumSessionsPerAddress = 2
        }
        let first = try await POP3LineClient(port: fixture.port), second = try await POP3LineClient(port: fixture.port)
        #expect(try await first.readLine()?.hasPrefix("+OK") == true)
        #expect(try await second.readLine()?.hasPrefix("+OK") == true)
        let third = try await POP3LineClient(port: fixture.port)
        #expect(try await third.readToEnd() == ["-ERR [SYS/TEMP] too many connections, try again later"])
        for client in [first, second, third] { await client.close() }
        await fixture.stop()
    }
}
