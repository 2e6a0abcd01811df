import AliasStore
import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Testing

/// The forwarder's default path: ForwarderServer on loopback with SmarthostRelay to a real
/// Postfix (its own configuration directory, started and stopped here), which relays to an
/// aiosmtpd sink that records envelopes and bytes.
@Suite("ForwarderServer relaying through a private Postfix to aiosmtpd", .serialized,
       .enabled(if: TestPeers.shouldRun(PostfixInstance.isAvailable && TestPeers.pythonHas(["aiosmtpd"]))))
struct ForwarderPostfixRelayTests {
    static let content = Array("""
        Date: Mon, 07 Dec 2026 03:00:00 +0000\r
        Message-ID: <postfix-relay-1@origin.example>\r
        From: Alice <alice@origin.example>\r
        To: team@example.org\r
        Subject: through Postfix\r
        \r
        .leading dot\r
        N\u{FA}\u{F1}ez, in UTF-8\r
        last line\r

        """.utf8)

    /// The sink, Postfix relaying to it, and a forwarder relaying to Postfix.
    struct Path {
        let sink: ChildProcess
        let sinkFolder: TemporaryDirectory
        let postfix: PostfixInstance
        let fixture: ForwarderFixture

        func stop() async {
            fixture.server.close()
            await postfix.stop()
            sink.stop()
        }
    }

    func startPath() async throws -> Path {
        let python = try #require(TestPeers.python)
        let sinkFolder = try TemporaryDirectory(prefix: "postfix-relay-sink")
        let sinkPort = try ChildProcess.freePort()
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/aiosmtpd_recorder.py").path
        let sink = try ChildProcess(python, [script, String(sinkPort), sinkFolder.url.path, "--smtputf8"])
        let postfix: PostfixInstance
        do {
            try await sink.waitForTCPPort(sinkPort)
            postfix = try await PostfixInstance(configuration: .init(relayHost: "[127.0.0.1]:\(sinkPort)"))
        } catch {
            sink.stop()
            throw error
        }
        var smarthost = SmarthostRelay.Configuration(host: "127.0.0.1", port: postfix.port)
        smarthost.security = .plain
        smarthost.client.heloName = "mx.example.net"
        do {
            let fixture = try await ForwarderFixture(hop: SmarthostRelay(configuration: smarthost))
            _ = try await fixture.store.createAlias(
                NewAlias(name: "gone", domain: "example.org", owner: "bob", recipients: ["refuse@home.example"]), by: .person("ada"))
            return Path(sink: sink, sinkFolder: sinkFolder, postfix: postfix, fixture: fixture)
        } catch {
            await postfix.stop()
            sink.stop()
            throw error
        }
    }

    /// Sends `content` from alice@origin.example to `recipients` over a loopback connection
    /// to the running server; returns the RCPT statuses and the status of the reply to DATA.
    func send(_ server: ForwarderServer, to recipients: [String], content: [UInt8] = Self.content) async throws -> ([String], String) {
        let connection = try await TCPConnection.connect(to: server.localAddress, deadline: .now + .seconds(60))
        var client = TestSMTPClient(stream: connection)
        #expect(try await client.reply().hasPrefix("220 "))
        let statuses = try await client.begin(from: "alice@origin.example", to: recipients)
        let data = try await client.data(String(decoding: content, as: UTF8.self))
        _ = try await client.send("QUIT")
        await connection.close()
        return (statuses, data)
    }

    /// The sink's records (envelope and bytes), oldest first, once `count` of them are
    /// complete; fewer if they do not come within two minutes.
    func records(in folder: TemporaryDirectory, count: Int) async throws -> [(sender: String, recipients: [String], bytes: [UInt8])] {
        let start = ContinuousClock.now
        var names: [String] = []
        repeat {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.url.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            if names.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now - start < .seconds(120)
        return try names.map { name in
            let json = try Data(contentsOf: folder.url.appendingPathComponent(name))
            let envelope = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            let base = String(name.dropLast(".json".count))
            let bytes = Array(try Data(contentsOf: folder.url.appendingPathComponent(base + ".eml")))
            return (envelope["mail_from"] as? String ?? "", envelope["rcpt_tos"] as? [String] ?? [], bytes)
        }
    }

    /// The first header field of `bytes` (with its continuation lines) and what follows it.
    func splitFirstField(_ bytes: [UInt8]) -> (field: String, rest: [UInt8]) {
        var end = 0
        while let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) {
            end = newline + 1
            guard end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") else { break }
        }
        return (String(decoding: bytes[..<end], as: UTF8.self), Array(bytes[end...]))
    }

    @Test("A message to an alias goes through Postfix to the sink: SRS0 sender, both recipients, byte-exact after Postfix's and our Received fields")
    func relayThroughPostfix() async throws {
        let path = try await startPath()
        let serving = Task { try await path.fixture.server.run() }
        let (statuses, data): ([String], String)
        do {
            (statuses, data) = try await send(path.fixture.server, to: ["team@example.org"])
        } catch {
            serving.cancel()
            await path.stop()
            throw error
        }
        let delivered = try await records(in: path.sinkFolder, count: 1)
        let log = path.postfix.log
        serving.cancel()
        await path.stop()

        #expect(statuses == ["250 2.1.5"])
        #expect(data.hasPrefix("250"), "\(log)")
        // Postfix delivers both recipients of one message to one next hop in one transaction.
        let record = try #require(delivered.first, "nothing reached the sink; Postfix's log:\n\(log)")
        #expect(delivered.count == 1)
        #expect(record.sender.hasPrefix("SRS0=") && record.sender.hasSuffix("=origin.example=alice@srs.example.net"))
        #expect(record.recipients.sorted() == ["ana@home.example", "bob@home.example"])
        let (postfixField, afterPostfix) = splitFirstField(record.bytes)
        #expect(postfixField.hasPrefix("Received: from mx.example.net"), "\(postfixField)")
        #expect(postfixField.contains("by relay.postfix.test (Postfix) with ESMTP id "), "\(postfixField)")
        let (ourField, afterOurs) = splitFirstField(afterPostfix)
        #expect(ourField.hasPrefix("Received: from client.example\r\n\tby mx.example.net with ESMTP;\r\n\t"), "\(ourField)")
        #expect(afterOurs == Self.content)
        #expect(try path.fixture.srs.reverse(record.sender) == "alice@origin.example")
    }

    @Test("Postfix takes a recipient its next hop refuses (250 to us, then bounces); the bounce goes to the SRS0 address, which we reverse to the sender")
    func refusalBecomesBounceToSRS() async throws {
        let path = try await startPath()
        let serving = Task { try await path.fixture.server.run() }
        let (statuses, data): ([String], String)
        do {
            (statuses, data) = try await send(path.fixture.server, to: ["gone@example.org"])
        } catch {
            serving.cancel()
            await path.stop()
            throw error
        }
        let bounced = try await path.postfix.waitForLogLine(containing: ["to=<refuse@home.example>", "status=bounced"])
        let delivered = try await records(in: path.sinkFolder, count: 1)
        let log = path.postfix.log
        serving.cancel()
        await path.stop()

        // Postfix queues first and delivers later: the sender gets 250 although the
        // final hop refuses (the synchronous answer needs direct delivery or a smarthost
        // that relays before answering).
        #expect(statuses == ["250 2.1.5"])
        #expect(data.hasPrefix("250"))
        #expect(bounced?.contains("550 5.1.1") == true, "\(log)")
        let bounce = try #require(delivered.first, "no bounce reached the sink; Postfix's log:\n\(log)")
        #expect(bounce.sender == "<>")
        let srsRecipient = try #require(bounce.recipients.first)
        #expect(bounce.recipients.count == 1)
        #expect(srsRecipient.hasPrefix("SRS0=") && srsRecipient.hasSuffix("@srs.example.net"))
        // The bounce, coming back to the forwarder, is for the original sender.
        let decision = await AliasRecipientPolicy(aliases: path.fixture.store, srs: path.fixture.srs).decide(srsRecipient)
        #expect(decision.recipients == ["alice@origin.example"])
        let text = String(decoding: bounce.bytes, as: UTF8.self)
        #expect(text.contains("Content-Type: multipart/report; report-type=delivery-status;"))
        #expect(text.contains("Final-Recipient: rfc822; refuse@home.example"))
        #expect(text.contains("Status: 5.1.1"))
    }

    @Test("PostfixInstance listens only on its loopback port and its stop ends the master")
    func instanceStartsAndStops() async throws {
        let postfix = try await PostfixInstance(configuration: .init(relayHost: "[127.0.0.1]:9"))
        #expect(ChildProcess.canConnect(port: postfix.port))
        let master = try #require(Int32(try String(contentsOfFile: postfix.configDirectory + "/../queue/pid/master.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let masterSockets = TCPSocketTable.socketInodes(of: String(master))
        let masterListeners = TCPSocketTable.sockets(of: String(master)).filter { $0.isListening && masterSockets.contains($0.inode) }
        await postfix.stop()
        #expect(masterListeners.map(\.localPort) == [postfix.port])
        // Postfix's own listening socket is gone (no process holds it any more). The port
        // itself may already serve another test: the kernel hands freed ports out again.
        // Postfix's children (smtpd and the like) inherit that socket and may exit a moment
        // after the master: wait for the last of them (the full suite loads the machine).
        let listenerInodes = Set(masterListeners.map(\.inode))
        var stillHeld = true
        for _ in 0..<300 {
            stillHeld = TCPSocketTable.sockets().contains { listenerInodes.contains($0.inode) }
            if !stillHeld { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!stillHeld)
        #expect(kill(master, 0) != 0 || (try? String(contentsOfFile: "/proc/\(master)/stat", encoding: .utf8))?.contains(") Z") == true)
    }
}
