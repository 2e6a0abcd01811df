import AliasStore
import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Testing

/// The retry fingerprint: after a partial delivery downstream the sender gets 451, and its
/// retry goes only to the recipients that do not have the message yet.
@Suite("ForwarderServer retries: the delivery ledger")
struct ForwarderRetryTests {
    static let message = "From: Alice <alice@origin.example>\r\nSubject: retry\r\n\r\nthe same bytes each attempt\r\n"

    /// One session: MAIL from alice, RCPT each of `recipients`, DATA `content`; the DATA status.
    func attempt(_ fixture: ForwarderFixture, to recipients: [String], content: String = message) async throws -> String {
        try await fixture.session { smtp in
            let statuses = try await smtp.begin(from: "alice@origin.example", to: recipients)
            #expect(statuses.allSatisfy { $0.hasPrefix("250") }, "\(statuses)")
            return try await smtp.data(content)
        }
    }

    @Test("451 downstream for one target: the retry of the same message goes to that target only, then the ledger forgets it")
    func retryGoesToTheDeferredOnly() async throws {
        let fixture = try await ForwarderFixture()
        fixture.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "busy"), for: "bob@home.example")
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "451 4.2.0")
        fixture.relay.answer(nil, for: "bob@home.example")
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "250 2.0.0")
        // Everyone has it now: the same bytes sent later are a new message.
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "250 2.0.0")
        #expect(fixture.relay.envelopes.map(\.recipients) == [
            ["ana@home.example", "bob@home.example"], ["bob@home.example"], ["ana@home.example", "bob@home.example"],
        ])
    }

    @Test("A retry whose targets all have the message is answered 250 without calling the next hop")
    func everyTargetDelivered() async throws {
        let fixture = try await ForwarderFixture()
        fixture.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "busy"), for: "slow@home.example")
        #expect(try await attempt(fixture, to: ["ana@example.org", "slow@example.org"]) == "451 4.2.0")
        #expect(try await attempt(fixture, to: ["ana@example.org"]) == "250 2.0.0")
        #expect(fixture.relay.envelopes.count == 1)
    }

    @Test("A permanent refusal downstream (550 to the sender, which will not retry) records nothing")
    func permanentRefusalRecordsNothing() async throws {
        let fixture = try await ForwarderFixture()
        fixture.relay.answer(SMTPReply(code: 550, enhancedStatusCode: "5.1.1", text: "no such user"), for: "bob@home.example")
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "550 5.1.1")
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "550 5.1.1")
        #expect(fixture.relay.envelopes.map(\.recipients.count) == [2, 2])
    }

    @Test("Other bytes, another sender, or the ledger turned off: no recipient is skipped")
    func onlyTheSameMessage() async throws {
        let fixture = try await ForwarderFixture()
        fixture.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "busy"), for: "bob@home.example")
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "451 4.2.0")
        #expect(try await attempt(fixture, to: ["team@example.org"], content: Self.message + "changed\r\n") == "451 4.2.0")
        let otherSender = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "someone@origin.example", to: ["team@example.org"])
            return try await smtp.data(Self.message)
        }
        #expect(otherSender == "451 4.2.0")
        #expect(fixture.relay.envelopes.map(\.recipients.count) == [2, 2, 2])

        let off = try await ForwarderFixture { $0.deliveryLedger = nil }
        off.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "busy"), for: "bob@home.example")
        #expect(try await attempt(off, to: ["team@example.org"]) == "451 4.2.0")
        off.relay.answer(nil, for: "bob@home.example")
        #expect(try await attempt(off, to: ["team@example.org"]) == "250 2.0.0")
        #expect(off.relay.envelopes.map(\.recipients.count) == [2, 2])
    }

    @Test("The ledger's time to live runs on the server's clock: after it, a retry goes to every target again")
    func expiresOnTheServiceClock() async throws {
        let clock = ManualClock()
        let fixture = try await ForwarderFixture {
            $0.clock = clock
            $0.deliveryLedger?.timeToLive = .seconds(3600)
        }
        fixture.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "busy"), for: "bob@home.example")
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "451 4.2.0")
        clock.advance(by: .seconds(3600))
        #expect(try await attempt(fixture, to: ["team@example.org"]) == "451 4.2.0")
        #expect(fixture.relay.envelopes.map(\.recipients.count) == [2, 2])
    }
}

/// The issue's must-show, live: smtplib → ForwarderServer → SmarthostRelay → aiosmtpd.
@Suite("ForwarderServer retries on loopback: smtplib, SmarthostRelay, aiosmtpd", .serialized,
       .enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["aiosmtpd"]))))
struct ForwarderRetryLoopbackTests {
    static let content = Array("From: Alice <alice@origin.example>\r\nSubject: greylisted once\r\n\r\nsame bytes\r\n".utf8)

    @Test("SmarthostRelay to aiosmtpd: a reply per recipient (the deferred one's 451, the others the message's 250), and the message reaches the others")
    func perRecipientOutcome() async throws {
        let python = try #require(TestPeers.python)
        let folder = try TemporaryDirectory(prefix: "forwarder-outcome")
        let port = try ChildProcess.freePort()
        let sinkScript = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/aiosmtpd_recorder.py").path
        let sink = try ChildProcess(python, [sinkScript, String(port), folder.url.path, "--smtputf8"])
        defer { sink.stop() }
        try await sink.waitForTCPPort(port)
        var smarthost = SmarthostRelay.Configuration(host: "127.0.0.1", port: port)
        smarthost.security = .plain
        let outcome = await SmarthostRelay(configuration: smarthost).relay(
            RelayEnvelope(sender: "", recipients: ["a@x.example", "defer@x.example", "b@x.example"], content: Self.content))
        #expect(outcome.replies.map(\.code) == [250, 451, 250])
        #expect(outcome.replies[1].enhancedStatusCode == "4.2.0")
        #expect(outcome.dataReply.code == 451)
        let data = try Data(contentsOf: folder.url.appendingPathComponent("00001.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(record["rcpt_tos"] as? [String] == ["a@x.example", "b@x.example"])
    }

    @Test("A downstream 451 gives 451 to the sender, and the retry does not re-deliver to the recipient who already has it")
    func retryAfterDownstreamDeferral() async throws {
        let python = try #require(TestPeers.python)
        let folder = try TemporaryDirectory(prefix: "forwarder-retry")
        let port = try ChildProcess.freePort()
        let sinkScript = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/aiosmtpd_recorder.py").path
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("sink"), withIntermediateDirectories: true)
        let sink = try ChildProcess(python, [sinkScript, String(port), folder.path("sink"), "--smtputf8"])
        defer { sink.stop() }
        try await sink.waitForTCPPort(port)

        var smarthost = SmarthostRelay.Configuration(host: "127.0.0.1", port: port)
        smarthost.security = .plain
        smarthost.client.heloName = "mx.example.net"
        let fixture = try await ForwarderFixture(hop: SmarthostRelay(configuration: smarthost))
        _ = try await fixture.store.createAlias(
            NewAlias(name: "family", domain: "example.org", owner: "bob", recipients: ["ana@home.example", "greylisted@home.example"]),
            by: .person("ada"))
        let serving = Task { try await fixture.server.run() }
        defer {
            fixture.server.close()
            serving.cancel()
        }
        try Data(Self.content).write(to: folder.url.appendingPathComponent("message.eml"))
        let senderScript = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/smtplib_sender.py").path
        func send() async throws -> String {
            let client = try ChildProcess(python, [
                senderScript, String(fixture.server.localAddress.port), "alice@origin.example", "family@example.org", folder.path("message.eml"),
            ])
            #expect(await client.exited() == 0)
            return client.output
        }

        let first = try await send()
        #expect(first.contains("error: SMTPDataError 451"), "\(first)")
        let retry = try await send()
        #expect(retry.contains("sent"), "\(retry)")

        func record(_ number: Int) throws -> [String: Any] {
            let data = try Data(contentsOf: folder.url.appendingPathComponent("sink/\(String(format: "%05d", number)).json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        // First attempt: ana got it, greylisted was deferred. The retry carried greylisted only.
        #expect(try record(1)["rcpt_tos"] as? [String] == ["ana@home.example"])
        #expect(try record(2)["rcpt_tos"] as? [String] == ["greylisted@home.example"])
        #expect(!FileManager.default.fileExists(atPath: folder.path("sink/00003.json")))
        for number in [1, 2] {
            let bytes = Array(try Data(contentsOf: folder.url.appendingPathComponent("sink/\(String(format: "%05d", number)).eml")))
            #expect(Array(bytes.suffix(Self.content.count)) == Self.content)
            #expect(try (record(number)["mail_from"] as? String)?.hasPrefix("SRS0=") == true)
        }
    }
}
