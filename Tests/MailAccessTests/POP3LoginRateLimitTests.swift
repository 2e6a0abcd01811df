import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Failed logins are limited per client address and per login name; past the limit the
/// right password is refused too, with `[SYS/TEMP]`, and the mailbox is not touched. No
/// password or name reaches the events.
@Suite struct POP3LoginRateLimitTests {
    @Test func limiterCountsPerAddressAndPerLoginWithinTheWindow() {
        let clock = ManualClock()
        var configuration = LoginRateLimiter.Configuration()
        configuration.maximumFailuresPerAddress = 3
        configuration.maximumFailuresPerLogin = 5
        configuration.window = .seconds(60)
        let limiter = LoginRateLimiter(configuration: configuration, clock: clock)
        let one = InternetAddress("192.0.2.1"), two = InternetAddress("192.0.2.2")
        for _ in 0..<3 { limiter.recordFailure(login: "alice", from: one) }
        #expect(!limiter.allows(login: "bob", from: one))
        #expect(limiter.allows(login: "alice", from: two))
        for _ in 0..<2 { limiter.recordFailure(login: "ALICE", from: two) }
        // Five failures for the name, from any address, and case-insensitively.
        #expect(!limiter.allows(login: "alice", from: InternetAddress("192.0.2.3")))
        clock.advance(by: .seconds(61))
        #expect(limiter.allows(login: "alice", from: one))
        limiter.recordFailure(login: "carol", from: two)
        limiter.recordSuccess(login: "carol")
        #expect(limiter.allows(login: "carol", from: two))
    }

    @Test func countersAreBounded() {
        var configuration = LoginRateLimiter.Configuration()
        configuration.maximumTrackedKeys = 1_000
        let limiter = LoginRateLimiter(configuration: configuration, clock: ManualClock())
        for index in 0..<5_000 {
            limiter.recordFailure(login: "user\(index)", from: InternetAddress("10.0.\(index / 256 % 256).\(index % 256)"))
        }
        #expect(limiter.trackedKeyCount <= 1_000)
    }

    @Test func guessingIsCutOffAndTheMailboxUntouched() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback) { configuration in
            configuration.loginRateLimiter = .withoutFailureDelay { $0.maximumFailuresPerAddress = 3 }
        }
        let client = try await POP3LineClient(port: fixture.port)
        _ = try await client.readLine()
        var answers: [String] = []
        for guess in ["guess-one", "guess-two", "guess-three", "guess-four", POP3ServerFixture.password] {
            try await client.send("USER alice\r\nPASS \(guess)\r\n")
            answers += try await client.readLines(count: 2).dropFirst()
        }
        #expect(answers.prefix(3).allSatisfy { $0 == "-ERR [AUTH] authentication failed" })
        #expect(answers.dropFirst(3).allSatisfy { $0 == "-ERR [SYS/TEMP] too many failed logins, try again later" })
        try await client.send("QUIT\r\n")
        _ = try await client.readToEnd()
        await client.close()
        await fixture.stop()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
        let described = fixture.events.map { String(describing: $0) }.joined(separator: " ")
        #expect(!described.contains("guess") && !described.contains(POP3ServerFixture.password) && !described.contains("alice"))
        #expect(fixture.events.filter { $0 == .login(.pop3, .refused, overTLS: false) }.count == 3)
        #expect(fixture.events.filter { $0 == .login(.pop3, .rateLimited, overTLS: false) }.count == 2)
        // The credentials type never shows what it holds.
        #expect(!String(describing: MailAccessCredentials(login: "alice", password: "pw-123")).contains("pw-123"))
    }
}
