import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Python's `poplib` (stdlib, nobody here wrote it) drives every command over STLS and
/// over implicit TLS with the test certificate; results are checked against the stored
/// messages and RFC 1939.
@Suite(.enabled(if: TestPeers.shouldRun(TestPeers.executable("python3") != nil)))
struct POP3PoplibTests {
    @Test func everyCommandOverSTLS() async throws {
        let fixture = try await POP3ServerFixture.start()
        let messages = POP3TestMessages.all
        let sizes = messages.map { POP3MessageEncoder.normalizedSize(of: $0) }
        let results = try await fixture.script([
            "connect", "capa", "raw NOOP", "user alice", "pass secret1", "capa", "stat", "list", "list 3", "uidl", "uidl 2",
            "top 1 0", "top 5 2", "retr 1", "retr 2", "retr 3", "retr 4", "retr 5", "retr 6", "dele 2", "list 2", "retr 2",
            "stat", "rset", "stat", "dele 1", "noop", "raw RETR 99", "quit",
        ]).run()
        func result(_ step: String) throws -> POP3ClientScript.Result { try #require(results.first { $0.step == step }) }
        func later(_ step: String, _ occurrence: Int) throws -> POP3ClientScript.Result {
            let matching = results.filter { $0.step == step }
            try #require(matching.count > occurrence)
            return matching[occurrence]
        }
        #expect(try result("connect").response.hasPrefix("+OK"))
        // After STLS: USER and SASL PLAIN offered, STLS no longer.
        let capabilities = try #require(results.first { $0.step == "capa" }?.capabilities)
        #expect(capabilities["USER"] != nil && capabilities["SASL"] == ["PLAIN"] && capabilities["STLS"] == nil)
        #expect(capabilities["TOP"] != nil && capabilities["UIDL"] != nil && capabilities["PIPELINING"] != nil)
        #expect(try !result("raw NOOP").ok)  // NOOP is a TRANSACTION command
        #expect(try result("pass secret1").ok)
        #expect(try result("stat").response == "+OK \(messages.count) \(sizes.reduce(0, +))")
        #expect(try result("list").lines == sizes.enumerated().map { "\($0.offset + 1) \($0.element)" })
        #expect(try result("list 3").response == "+OK 3 \(sizes[2])")
        let uids = try #require(try result("uidl").lines)
        #expect(Set(uids.map { $0.split(separator: " ")[1] }).count == messages.count)
        #expect(try result("uidl 2").response == "+OK \(uids[1])")
        #expect(try result("top 1 0").lines == Array(POP3TestMessages.lines(of: messages[0]).prefix(5)))
        #expect(try result("top 5 2").lines == Array(POP3TestMessages.lines(of: messages[4]).prefix(5)))
        for (index, message) in messages.enumerated() {
            #expect(try result("retr \(index + 1)").lines == POP3TestMessages.lines(of: message), "message \(index + 1)")
        }
        #expect(try !result("list 2").ok && !later("retr 2", 1).ok)
        #expect(try later("stat", 1).response == "+OK \(messages.count - 1) \(sizes.reduce(0, +) - sizes[1])")
        #expect(results.filter { $0.step == "stat" }.last?.response == "+OK \(messages.count) \(sizes.reduce(0, +))")
        #expect(try !result("raw RETR 99").ok)
        #expect(try result("quit").ok)
        await fixture.stop()
        // RSET undid DELE 2; DELE 1 was applied at QUIT.
        #expect(try await fixture.inboxContents() == Array(messages.dropFirst()))
    }

    @Test func authPlainOverImplicitTLSAndUIDLStableAcrossSessions() async throws {
        let fixture = try await POP3ServerFixture.start()
        let first = try await fixture.script(["connect", "plain alice secret1", "uidl", "quit"], transport: .tls).run()
        let second = try await fixture.script(["connect", "plain alice secret1", "dele 1", "quit"], transport: .tls).run()
        let third = try await fixture.script(["connect", "user alice", "pass secret1", "uidl", "quit"]).run()
        #expect(first[1].ok && second[1].ok && third[2].ok)
        let beforeLines = try #require(first[2].lines), afterLines = try #require(third[3].lines)
        let before = beforeLines.map { String($0.split(separator: " ")[1]) }
        let after = afterLines.map { String($0.split(separator: " ")[1]) }
        // The same unique-ids for the messages that remain (RFC 1939 section 7: persistent).
        #expect(after == Array(before.dropFirst()))
        await fixture.stop()
    }

    @Test func passwordsRefusedBeforeSTLS() async throws {
        let fixture = try await POP3ServerFixture.start()
        let results = try await fixture.script(["connect", "capa", "user alice", "plain alice secret1", "stls", "capa", "user alice", "pass secret1", "stat", "quit"], transport: .plain).run()
        let before = try #require(results[1].capabilities)
        #expect(before["STLS"] != nil && before["USER"] == nil && before["SASL"] == nil)
        #expect(!results[2].ok && results[2].response.hasPrefix("-ERR [AUTH]"))
        #expect(!results[3].ok && results[3].response.hasPrefix("-ERR [AUTH]"))
        #expect(results[4].ok)
        #expect(results[7].ok && results[8].ok)
        await fixture.stop()
    }

    @Test func abortedSessionDeletesNothing() async throws {
        let fixture = try await POP3ServerFixture.start()
        let results = try await fixture.script(["connect", "user alice", "pass secret1", "dele 1", "dele 2", "abort"]).run()
        #expect(results[3].ok && results[4].ok)
        // The lock is released once the server sees the connection end.
        try await waitUntil("the aborted session ended") { fixture.events.contains { if case .sessionEnded = $0 { true } else { false } } }
        let after = try await fixture.script(["connect", "user alice", "pass secret1", "stat", "quit"]).run()
        #expect(after[3].response.hasPrefix("+OK \(POP3TestMessages.all.count) "))
        await fixture.stop()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
    }
}
