import AliasStore
import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder

/// `smtp-source -s 20 -m 10000 -l 5120` through ForwarderServer (in this process,
/// SmarthostRelay to `smtp-sink`), then the same traffic through a private Postfix set up
/// as the forwarder (virtual_alias_maps from AliasStore's Postfix export, postsrsd over
/// tcp_table for SRS) to another `smtp-sink`, in the same run. Messages per second are
/// counted end to end: from smtp-source's start until the sink has taken every message
/// (Postfix answers before it delivers). Meanwhile one extra client of ours sends the
/// same messages one after another and times each from its final dot to the reply.
enum ForwardBenchmark {
    static let sessions = 20
    static let size = 5120
    /// `BENCH_FORWARD_MESSAGES` overrides it, for a quick run.
    static var messages: Int {
        ProcessInfo.processInfo.environment["BENCH_FORWARD_MESSAGES"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 10_000
    }
    static let sender = "alice@origin.example"
    static let recipient = "ana@example.org"
    static let srsDomain = "srs.bench.test"
    static let srsSecret = "bench-forward-secret"

    static func run() async throws {
        for tool in ["smtp-source", "smtp-sink", "postfix", "postsrsd"] where TestPeers.executable(tool) == nil {
            throw BenchmarkFailure("\(tool) is not installed (Scripts/install-test-deps)")
        }
        guard PostfixInstance.isAvailable else { throw BenchmarkFailure("Postfix's master must start as root") }
        let count = messages
        print("forward: smtp-source -s \(sessions) -m \(count) -l \(size), \(sender) -> \(recipient) -> ana@home.example, to smtp-sink on loopback")
        print("  end to end: from smtp-source's start until the sink has every message (plus the timing client's)")

        // The store forward-mx runs on: SQLite on disk (Postfix gets its hash table).
        let folder = try TemporaryDirectory(prefix: "bench-forward")
        let store = try SQLiteAliasStore(path: folder.path("aliases.sqlite"))
        let sync = ChangeActor.sync("bench")
        _ = try await store.saveUser(User(id: "ana", email: "ana@home.example"), by: sync)
        _ = try await store.createDomain("example.org", plan: .team, verificationToken: nil, by: sync)
        _ = try await store.setMember("ana", role: .admin, onDomain: "example.org", by: sync)
        _ = try await store.recordVerification(domain: "example.org", verified: true, by: sync)
        _ = try await store.createAlias(
            NewAlias(name: "ana", domain: "example.org", owner: "ana", recipients: ["ana@home.example"]), by: .person("ana"))

        let ours = try await runOurs(store: store, count: count)
        report("ForwarderServer -> smtp-sink", "\(format(ours.rate, 0)) messages/s (\(ours.delivered) in \(format(ours.seconds, 2)) s)")
        report("  DATA end -> our reply, p50 / p99", "\(ours.latency.p50) / \(ours.latency.p99) (\(ours.latency.samples) messages under load)")

        let postfix = try await runPostfix(store: store, count: count)
        report("Postfix \(await postfixVersion()) + postsrsd -> smtp-sink", "\(format(postfix.rate, 0)) messages/s (\(postfix.delivered) in \(format(postfix.seconds, 2)) s)")
        report("  DATA end -> Postfix's reply, p50 / p99", "\(postfix.latency.p50) / \(postfix.latency.p99) (queued, not yet delivered)")
        report("ratio (ours / Postfix, end to end)", "\(format(ours.rate / postfix.rate, 2))x")
        await store.close()
    }

    struct Result {
        var rate: Double
        var delivered: Int
        var seconds: Double
        var latency: TimingClient.Percentiles
    }

    // MARK: The two sides

    static func runOurs(store: SQLiteAliasStore, count: Int) async throws -> Result {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var srsConfiguration = SRSRewriter.Configuration(domain: srsDomain, secrets: [srsSecret])
        srsConfiguration.localDomains = ["example.org"]
        let srs = try SRSRewriter(configuration: srsConfiguration)
        var smarthost = SmarthostRelay.Configuration(host: "127.0.0.1", port: sink.port)
        smarthost.security = .plain
        smarthost.client.heloName = "mx.bench.test"
        var configuration = ForwarderServer.Configuration(serverName: "mx.bench.test")
        // smtp-source and the timing client all come from 127.0.0.1: forward-mx's default of
        // 16 per address would turn 4 of smtp-source's 20 sessions away with 421
        // (forward-mx --max-connections-per-address does the same as this).
        configuration.listener.maximumConnectionsPerAddress = 4 * sessions
        let server = try await ForwarderServer(
            address: try SocketAddress("127.0.0.1:0"), configuration: configuration,
            policy: AliasRecipientPolicy(aliases: store, srs: srs), relay: SmarthostRelay(configuration: smarthost), srs: srs)
        let serving = Task { try await server.run() }
        defer {
            server.close()
            serving.cancel()
        }
        return try await measure(port: server.localAddress.port, sink: sink, count: count)
    }

    static func runPostfix(store: SQLiteAliasStore, count: Int) async throws -> Result {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let srs = try await PostSRSDDaemon.start(domain: srsDomain, secret: srsSecret)
        defer { srs.stop() }
        let export = try await store.postfixExport()
        var configuration = PostfixInstance.Configuration(relayHost: "[127.0.0.1]:\(sink.port)")
        configuration.hostName = "postfix.bench.test"
        configuration.files["virtual_domains"] = export.virtualAliasDomains
        configuration.hashTables["virtual"] = export.virtualAliasMaps
        configuration.settings = [
            "virtual_alias_domains": "$config_directory/virtual_domains",
            "virtual_alias_maps": "hash:$config_directory/virtual",
            "recipient_delimiter": "+",
            // postsrsd's documented setup: senders forward, recipients reverse.
            "sender_canonical_maps": "tcp:127.0.0.1:\(srs.forwardPort)",
            "sender_canonical_classes": "envelope_sender",
            "recipient_canonical_maps": "tcp:127.0.0.1:\(srs.reversePort)",
            "recipient_canonical_classes": "envelope_recipient, header_recipient",
        ]
        let postfix = try await PostfixInstance(configuration: configuration)
        let result: Result
        do {
            result = try await measure(port: postfix.port, sink: sink, count: count)
        } catch {
            await postfix.stop()
            throw BenchmarkFailure("\(error)\nPostfix's log (tail):\n\(postfix.log.suffix(4000))")
        }
        let log = postfix.log
        await postfix.stop()
        guard log.contains("from=<SRS0="), log.contains("to=<ana@home.example>, orig_to=<\(recipient)>") else {
            throw BenchmarkFailure("Postfix did not rewrite the sender with postsrsd or the recipient with the alias map:\n\(log.suffix(4000))")
        }
        return result
    }

    /// smtp-source against `port` while the timing client sends alongside; done when the
    /// sink has every message.
    static func measure(port: UInt16, sink: SMTPSink, count: Int) async throws -> Result {
        guard let source = TestPeers.executable("smtp-source") else { throw BenchmarkFailure("smtp-source is not installed") }
        let stop = StopFlag()
        let start = ContinuousClock.now
        let load = try ChildProcess(source, [
            "-s", String(sessions), "-m", String(count), "-l", String(size), "-f", sender, "-t", recipient, "127.0.0.1:\(port)",
        ])
        async let timings = TimingClient.run(port: port, size: size, until: stop)
        let status = await load.exited()
        stop.set()
        let latencies = try await timings
        guard status == 0 else { throw BenchmarkFailure("smtp-source exited with \(status): \(load.output.suffix(2000))") }
        let expected = count + latencies.count
        try await sink.waitForMessages(expected)
        let seconds = (ContinuousClock.now - start).seconds
        return Result(rate: Double(expected) / seconds, delivered: expected, seconds: seconds, latency: TimingClient.Percentiles(latencies))
    }

    static func postfixVersion() async -> String {
        guard let postconf = TestPeers.executable("postconf"), let (_, output) = try? await ChildProcess.run(postconf, ["-d", "-h", "mail_version"])
        else { return "" }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
