import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `forward-mx` example as an operator runs it: a child process with an alias database
/// on disk, real sending MTAs (Postfix's `smtp-source`, `swaks`) on loopback and aiosmtpd
/// (Tests/Peers/aiosmtpd_recorder.py) as the relay it hands messages to.
@Suite("forward-mx as a process with smtp-source, swaks and aiosmtpd", .serialized,
       .enabled(if: TestPeers.shouldRun(
           TestPeers.pythonHas(["aiosmtpd"]) && TestPeers.executable("smtp-source") != nil && TestPeers.executable("swaks") != nil)))
struct ForwardMXProcessTests {
    static let sender = "alice@origin.example"

    /// About 5 KB in LF lines (smtp-source -F sends each with CRLF), with lines that start
    /// with a dot (dot-stuffed on the wire, one dot again at the sink).
    static let message: String = {
        var lines = ["From: Alice <alice@origin.example>", "To: ana@example.org", "Subject: load through forward-mx",
                     "Message-ID: <load@origin.example>", "MIME-Version: 1.0", ""]
        for index in 0..<62 {
            lines.append(index % 10 == 0 ? ".line \(index) starts with a dot" : "line \(index): " + String(repeating: "abcdefghij", count: 8))
        }
        lines.append("..two dots")
        return lines.joined(separator: "\n") + "\n"
    }()

    /// True when `bytes` is one header field (`Received:` and its continuation lines, CRLF
    /// ended) naming our server, followed by exactly `reference`. smtp-source greets with
    /// HELO, so the protocol is SMTP (RFC 3848).
    static func isReceivedThen(_ reference: [UInt8], _ bytes: [UInt8]) -> Bool {
        guard bytes.count > reference.count, Array(bytes.suffix(reference.count)) == reference else { return false }
        let field = String(decoding: bytes.prefix(bytes.count - reference.count), as: UTF8.self)
        guard field.hasPrefix("Received: from "), field.hasSuffix("\r\n"), field.contains("by mx.example.net with SMTP;") else { return false }
        return field.dropLast(2).components(separatedBy: "\r\n").dropFirst().allSatisfy { $0.hasPrefix("\t") || $0.hasPrefix(" ") }
    }

    /// The sink's record `number` (from 1): envelope and content.
    static func delivery(_ number: Int, in folder: TemporaryDirectory) throws -> (sender: String, recipients: [String], content: [UInt8])? {
        let name = String(repeating: "0", count: 5 - String(number).count) + String(number)
        guard let record = FileManager.default.contents(atPath: folder.path("\(name).json")),
            let envelope = try JSONSerialization.jsonObject(with: record) as? [String: Any],
            let sender = envelope["mail_from"] as? String, let recipients = envelope["rcpt_tos"] as? [String]
        else { return nil }
        return (sender, recipients, Array(try Data(contentsOf: folder.url.appendingPathComponent("\(name).eml"))))
    }

    @Test("smtp-source sends 1,000 messages in 10 sessions through forward-mx: each reaches the sink byte-exact after our Received field, with an SRS0 sender; /proc write_bytes does not grow by one message; SIGTERM exits 0 and the log has counts, no address or secret")
    func thousandMessagesThroughForwardMX() async throws {
        let smtpSource = try #require(TestPeers.executable("smtp-source"))
        let (sink, sinkFolder, sinkPort) = try await ForwarderLoopbackTests().startSink()
        defer { sink.stop() }
        let work = try TemporaryDirectory(prefix: "forward-mx-load")
        try Data(Self.message.utf8).write(to: work.url.appendingPathComponent("message.txt"))

        // What smtp-source sends for the file, taken at the sink directly: the reference.
        let direct = try await ChildProcess.run(smtpSource, [
            "-m", "1", "-F", work.path("message.txt"), "-f", Self.sender, "-t", "ana@home.example", "127.0.0.1:\(sinkPort)",
        ])
        #expect(direct.status == 0, "\(direct.output)")
        let reference = try #require(try Self.delivery(1, in: sinkFolder)).content
        #expect(reference.count > 5000 && String(decoding: reference, as: UTF8.self).contains("\r\n..two dots\r\n"))

        // The bound below means something only where the kernel counts buffered writes.
        let probe = try ForwardMXProcess.accountingOfOwnWrite(in: work)
        #expect(probe.after - probe.before >= 65_536, "write_bytes is not accounted here: \(probe)")

        let forwarder = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)", "--stats-interval", "0"])
        let writtenBefore = try forwarder.writtenBytes()
        let load = try await ChildProcess.run(smtpSource, [
            "-m", "1000", "-s", "10", "-F", work.path("message.txt"), "-f", Self.sender, "-t", "ana@example.org",
            "127.0.0.1:\(forwarder.port)",
        ])
        let writtenAfter = try forwarder.writtenBytes()
        #expect(load.status == 0, "\(load.output)")
        // No spool: the process wrote (nearly) nothing while 1,000 messages went through it.
        #expect(writtenAfter - writtenBefore <= reference.count, "write_bytes grew by \(writtenAfter - writtenBefore)")

        var exact = 0
        var problems: [String] = []
        for number in 2...1001 {
            guard let delivery = try Self.delivery(number, in: sinkFolder) else {
                problems.append("\(number): missing")
                continue
            }
            if !(delivery.sender.hasPrefix("SRS0=") && delivery.sender.hasSuffix("=origin.example=alice@srs.example.net")) {
                problems.append("\(number): sender \(delivery.sender)")
            } else if delivery.recipients != ["ana@home.example"] {
                problems.append("\(number): recipients \(delivery.recipients)")
            } else if !Self.isReceivedThen(reference, delivery.content) {
                problems.append("\(number): content differs")
            } else {
                exact += 1
            }
        }
        #expect(exact == 1000, "\(problems.prefix(5))")
        #expect(try Self.delivery(1002, in: sinkFolder) == nil)

        #expect(await forwarder.stop() == 0)
        let log = forwarder.process.output
        #expect(log.contains("listening on 127.0.0.1:\(forwarder.port)"), "\(log)")
        #expect(log.contains("stopped: messages 250=1000; recipients 250 2.1.5=1000"), "\(log)")
        for secretOrAddress in ["alice", "origin.example", "ana@", "home.example"] + ForwardMXProcess.secrets {
            #expect(!log.contains(secretOrAddress), "the log names \(secretOrAddress)")
        }
    }

    @Test("swaks with STARTTLS (verifying forward-mx's certificate against the test authority) and without: 250, and the message at the sink")
    func swaksPlainAndStartTLS() async throws {
        let swaks = try #require(TestPeers.executable("swaks"))
        let certificates = try await TestCertificates.makeAuthority()
        let (chain, key) = try await certificates.makeLeaf("forward-mx")
        let (sink, sinkFolder, sinkPort) = try await ForwarderLoopbackTests().startSink()
        defer { sink.stop() }
        let forwarder = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)", "--tls-cert", chain, "--tls-key", key])
        let session = [
            "--server", "127.0.0.1", "--port", String(forwarder.port), "--from", Self.sender, "--to", "ana@example.org",
            "--helo", "sender.test", "--header", "Subject: swaks through forward-mx",
        ]

        let plain = try await ChildProcess.run(swaks, session)
        #expect(plain.status == 0, "\(plain.output)")
        #expect(plain.output.contains("<-  250 2.0.0"), "\(plain.output)")
        #expect(!plain.output.contains("-> STARTTLS"))

        let encrypted = try await ChildProcess.run(swaks, session + ["--tls", "--tls-verify", "--tls-ca-path", certificates.authority])
        #expect(encrypted.status == 0, "\(encrypted.output)")
        #expect(encrypted.output.contains("=== TLS started"), "\(encrypted.output)")
        #expect(encrypted.output.contains("<~  250 2.0.0"), "\(encrypted.output)")

        let first = try #require(try Self.delivery(1, in: sinkFolder))
        let second = try #require(try Self.delivery(2, in: sinkFolder))
        for delivery in [first, second] {
            #expect(delivery.sender.hasPrefix("SRS0=") && delivery.sender.hasSuffix("=origin.example=alice@srs.example.net"))
            #expect(delivery.recipients == ["ana@home.example"])
            #expect(String(decoding: delivery.content, as: UTF8.self).contains("\r\nSubject: swaks through forward-mx\r\n"))
        }
        #expect(String(decoding: first.content.prefix(80), as: UTF8.self).hasPrefix("Received: from sender.test\r\n\tby mx.example.net with ESMTP;"))
        #expect(String(decoding: second.content.prefix(80), as: UTF8.self).hasPrefix("Received: from sender.test\r\n\tby mx.example.net with ESMTPS;"))
        #expect(await forwarder.stop(with: SIGINT) == 0)
    }

    /// swaks's status and output for one message from `sender` to `recipient` through
    /// `forwarder`.
    func swaks(_ forwarder: ForwardMXProcess, from sender: String = Self.sender, to recipient: String = "ana@example.org")
        async throws -> (status: Int32, output: String)
    {
        let swaks = try #require(TestPeers.executable("swaks"))
        return try await ChildProcess.run(swaks, [
            "--server", "127.0.0.1", "--port", String(forwarder.port), "--from", sender, "--to", recipient, "--helo", "sender.test",
        ])
    }

    @Test("--relay-tls: required refuses a relay without STARTTLS (451 to swaks, the log has the code only), opportunistic delivers in plaintext")
    func relayTLSModes() async throws {
        let (sink, sinkFolder, sinkPort) = try await ForwarderLoopbackTests().startSink()
        defer { sink.stop() }
        let strict = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)", "--relay-tls", "required"])
        let refused = try await swaks(strict)
        #expect(refused.output.contains("<** 451 4."), "\(refused.output)")
        #expect(try Self.delivery(1, in: sinkFolder) == nil)
        #expect(await strict.stop() == 0)
        #expect(strict.process.output.contains("relay: 451 4."), "\(strict.process.output)")
        #expect(strict.process.output.contains("messages 451="), "\(strict.process.output)")
        #expect(!strict.process.output.contains("@"), "\(strict.process.output)")

        let lenient = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)", "--relay-tls", "opportunistic"])
        let delivered = try await swaks(lenient)
        #expect(delivered.status == 0 && delivered.output.contains("<-  250 2.0.0"), "\(delivered.output)")
        #expect(try Self.delivery(1, in: sinkFolder)?.recipients == ["ana@home.example"])
        #expect(await lenient.stop() == 0)
    }

    @Test("--debug-log names each message's sender and recipients in the log; without it the log has no address")
    func debugLog() async throws {
        let (sink, sinkFolder, sinkPort) = try await ForwarderLoopbackTests().startSink()
        // The folder lives as long as the sink, which writes there.
        defer { withExtendedLifetime(sinkFolder) { sink.stop() } }
        let debugging = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)", "--debug-log"])
        let sent = try await swaks(debugging)
        #expect(sent.status == 0, "\(sent.output)")
        #expect(await debugging.stop() == 0)
        #expect(debugging.process.output.contains("debug: 250 from <\(Self.sender)> to <ana@home.example>, "), "\(debugging.process.output)")

        let quiet = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)"])
        #expect(try await swaks(quiet).status == 0)
        #expect(await quiet.stop() == 0)
        #expect(!quiet.process.output.contains("@"), "\(quiet.process.output)")
    }

    @Test("SRS secrets from the environment: the first signs the rewritten sender, the second still reverses a bounce to the original sender")
    func secretRotation() async throws {
        let (sink, sinkFolder, sinkPort) = try await ForwarderLoopbackTests().startSink()
        defer { sink.stop() }
        let forwarder = try await ForwardMXProcess(["--relay", "127.0.0.1:\(sinkPort)"])
        func rewriter(_ secret: String) throws -> SRSRewriter {
            try SRSRewriter(configuration: SRSRewriter.Configuration(domain: "srs.example.net", secrets: [secret]))
        }
        let (newest, oldest) = (ForwardMXProcess.secrets[0], ForwardMXProcess.secrets[1])

        let forwarded = try await swaks(forwarder)
        #expect(forwarded.status == 0, "\(forwarded.output)")
        let sender = try #require(try Self.delivery(1, in: sinkFolder)).sender
        #expect(try rewriter(newest).reverse(sender) == Self.sender)
        #expect(throws: SRSError.self) { try rewriter(oldest).reverse(sender) }

        // A bounce to an address the previous secret signed comes home.
        let bounceAddress = try rewriter(oldest).forward("carol@elsewhere.example")
        let bounce = try await swaks(forwarder, from: "<>", to: bounceAddress)
        #expect(bounce.status == 0 && bounce.output.contains("<-  250 2.0.0"), "\(bounce.output)")
        let returned = try #require(try Self.delivery(2, in: sinkFolder))
        #expect(returned.recipients == ["carol@elsewhere.example"])
        #expect(returned.sender == "" || returned.sender == "<>")

        // One signed by a secret it does not have is refused.
        let forged = try rewriter("not-one-of-ours").forward("carol@elsewhere.example")
        let refused = try await swaks(forwarder, from: "<>", to: forged)
        #expect(refused.output.contains("<** 550 5.1.1"), "\(refused.output)")
        #expect(await forwarder.stop() == 0)
    }

    @Test("SIGTERM while a session waits on its relay: the client still gets the relay's 250 for its message, then 421 4.3.2; forward-mx exits 0 once the session ended")
    func sigtermAnswersMessageInFlight() async throws {
        let swaks = try #require(TestPeers.executable("swaks"))
        let (sink, sinkFolder, sinkPort) = try await ForwarderLoopbackTests().startSink()
        defer { sink.stop() }
        // Between forward-mx and the sink: holds the relay's connection until released.
        let gate = try HeldRelayConnection(to: sinkPort)
        defer { gate.stop() }
        let forwarder = try await ForwardMXProcess(["--relay", "127.0.0.1:\(gate.port)"])
        // swaks' own 30 s wait for a reply would span every step of the gate and the
        // shutdown below, each of which can wake late on a loaded machine.
        let client = try ChildProcess(swaks, [
            "--server", "127.0.0.1", "--port", String(forwarder.port), "--from", Self.sender, "--to", "ana@example.org",
            "--helo", "sender.test", "--timeout", "600",
        ])
        defer { client.stop() }
        // Waits (without a time bound) until forward-mx, having the whole message, connected to the relay.
        while !gate.reached && client.isRunning && forwarder.process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(client.isRunning, "\(client.output)")

        forwarder.process.signal(SIGTERM)
        while !forwarder.process.output.contains("stopping") && forwarder.process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        gate.release()
        _ = await client.exited()
        let output = client.output
        // swaks prints the server's replies with "<-" (or "<**" for a failure): the DATA
        // reply after the message, then the 421 to its QUIT.
        let dataReply = try #require(output.range(of: "<-  250 2.0.0"), "\(output)")
        let shutdown = try #require(output.range(of: "<** 421 4.3.2"), "\(output)")
        #expect(dataReply.upperBound < shutdown.lowerBound)
        #expect(await forwarder.process.exited() == 0, "\(forwarder.process.output)")
        #expect(try Self.delivery(1, in: sinkFolder) != nil)
    }

    @Test("A second signal while a session waits on its relay exits at once with 128 + its number")
    func secondSignalExitsAtOnce() async throws {
        let swaks = try #require(TestPeers.executable("swaks"))
        // A relay that takes the connection and never greets: the session waits on it.
        let silentRelay = try TCPListener(address: try SocketAddress("127.0.0.1:0"))
        let relayReached = Mutex(false)
        let holding = Task {
            try? await silentRelay.serve { connection in
                relayReached.withLock { $0 = true }
                _ = try? await connection.read(maximumCount: 1, deadline: .now + .seconds(600))
            }
        }
        defer {
            silentRelay.close()
            holding.cancel()
        }
        let forwarder = try await ForwardMXProcess(["--relay", "127.0.0.1:\(silentRelay.localAddress.port)"])
        let client = try ChildProcess(swaks, [
            "--server", "127.0.0.1", "--port", String(forwarder.port), "--from", Self.sender, "--to", "ana@example.org",
        ])
        defer { client.stop() }
        // Waits (without a time bound) until forward-mx, having the whole message, connected to the relay.
        while !relayReached.withLock({ $0 }) && client.isRunning && forwarder.process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(client.isRunning, "\(client.output)")

        forwarder.process.signal(SIGTERM)
        while !forwarder.process.output.contains("stopping") && forwarder.process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await forwarder.stop(with: SIGINT) == 128 + SIGINT, "\(forwarder.process.output)")
        #expect(forwarder.process.output.contains("exiting without waiting for the sessions"))
    }

    @Test("Usage errors exit 64 without opening anything; a missing alias database exits 66; neither prints the secret")
    func usageErrors() async throws {
        let executable = try #require(ForwardMXProcess.executable)
        let folder = try TemporaryDirectory(prefix: "forward-mx-usage")
        let environment = ChildProcess.environment(adding: ["FORWARD_MX_SRS": "usage-test-secret"])
        let complete = ["--aliases", folder.path("aliases.sqlite"), "--listen", "127.0.0.1:1", "--server-name", "mx.example.net",
                        "--srs-domain", "srs.example.net", "--srs-secret-env", "FORWARD_MX_SRS"]
        let cases: [(arguments: [String], status: Int32)] = [
            ([], 64),
            (Array(complete.dropFirst(2)), 64),  // no --aliases
            (complete + ["--relay", "127.0.0.1"], 64),  // no port
            (complete + ["--relay-tls", "sometimes"], 64),
            (complete + ["--tls-cert", folder.path("cert.pem")], 64),  // no key
            (Array(complete.dropLast()) + ["FORWARD_MX_UNSET_VARIABLE"], 64),
            (complete + ["--listen", "not an address"], 64),
            (complete + ["--max-connections", "0"], 64),
            (complete + ["--direct", "--relay", "127.0.0.1:25"], 64),  // two next hops
            (complete + ["--direct", "--direct-tls", "maybe"], 64),
            (complete + ["--direct", "--nameserver", "not-an-address"], 64),
            (complete + ["--max-message-size", "2000", "--memory-budget", "1000"], 64),
            (complete + ["--server-name", "mx"], 64),  // not fully qualified
            (complete + ["--arc-key", folder.path("arc.pem")], 64),  // no selector and domain
            (complete + ["--no-mail-auth", "--dmarc-reject-exempt", "example.org"], 64),
            (Array(complete.dropLast(2)) + ["--srs-secret-file", folder.path("no-such-secret")], 66),
            (complete, 66),  // the database does not exist
        ]
        for (arguments, status) in cases {
            let run = try await ChildProcess.run(executable, arguments, environment: environment)
            #expect(run.status == status, "\(arguments): \(run.output)")
            #expect(run.output.contains("forward-mx"), "\(arguments): \(run.output)")
            #expect(!run.output.contains("usage-test-secret"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("aliases.sqlite")))
    }
}

/// A loopback relay address that takes forward-mx's connection and holds it until
/// ``release()``, then passes bytes both ways to the real relay (the aiosmtpd sink) on `port`.
final class HeldRelayConnection: Sendable {
    private let listener: TCPListener
    private let serving: Task<Void, Never>
    private let state: Flags

    /// Whether forward-mx connected, and whether the test let it through.
    private final class Flags: Sendable {
        let value = Mutex((reached: false, released: false))
    }

    /// Where forward-mx connects.
    var port: UInt16 { listener.localAddress.port }
    /// Whether forward-mx has connected.
    var reached: Bool { state.value.withLock { $0.reached } }

    init(to port: UInt16) throws {
        let listener = try TCPListener(address: try SocketAddress("127.0.0.1:0"))
        let relayAddress = try SocketAddress("127.0.0.1:\(port)")
        let state = Flags()
        self.state = state
        self.listener = listener
        serving = Task {
            try? await listener.serve { connection in
                state.value.withLock { $0.reached = true }
                while !state.value.withLock({ $0.released }) { try? await Task.sleep(for: .milliseconds(20)) }
                guard let relay = try? await TCPConnection.connect(to: relayAddress, deadline: .now + .seconds(60)) else { return }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await Self.pump(from: relay, to: connection) }
                    group.addTask { await Self.pump(from: connection, to: relay) }
                    await group.next()
                    group.cancelAll()
                }
                await relay.close()
            }
        }
    }

    /// Lets the held connection through.
    func release() { state.value.withLock { $0.released = true } }

    /// Stops listening and closes the connection.
    func stop() {
        release()
        listener.close()
        serving.cancel()
    }

    private static func pump(from source: TCPConnection, to destination: TCPConnection) async {
        while let bytes = try? await source.read(maximumCount: 65_536, deadline: .now + .seconds(600)), !bytes.isEmpty {
            guard (try? await destination.write(bytes, deadline: .now + .seconds(60))) != nil else { return }
        }
    }
}
