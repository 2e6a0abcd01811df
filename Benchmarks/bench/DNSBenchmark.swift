import CommunityMailTestSupport
import DNSVerify
import Foundation

/// Lookups per second against NSD on loopback: DNSStubResolver (no cache) versus
/// dnspython's stub resolver asking the same server for the same names in the same run.
enum DNSBenchmark {
    static let names = 200
    static let rounds = 5  // each run resolves every name this many times

    static func run() async throws {
        var zone = """
            $ORIGIN bench.test.
            $TTL 300
            @ IN SOA ns1 hostmaster 1 3600 600 86400 60
            @ IN NS ns1
            ns1 IN A 127.0.0.1

            """
        for index in 0..<names { zone += "host\(index) IN A 192.0.2.\(index % 250)\n" }
        let server = try await LocalDNSServer(zones: [("bench.test", zone)], ipv6: false)
        defer { server.stop() }
        let lookups = names * rounds
        print("dns: \(lookups) A lookups of \(names) names per run against NSD on 127.0.0.1:\(server.port), UDP, no cache; fastest of 3")

        var configuration = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv4, port: server.port)])
        configuration.timeout = .seconds(2)
        let resolver = try DNSStubResolver(configuration: configuration)
        let questions = try (0..<names).map { DNSQuestion(name: try DNSName("host\($0).bench.test"), type: .a) }
        var failures = 0
        let sequential = await BenchmarkClock.fastestAsync {
            for _ in 0..<rounds {
                for question in questions where await resolver.resolve(question).status != .answer { failures += 1 }
            }
        }
        let concurrent = try await BenchmarkClock.fastestAsync {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var failed = 0
                        for round in 0..<rounds {
                            for index in stride(from: worker, to: names, by: 8) where await resolver.resolve(questions[(index + round) % names]).status != .answer {
                                failed += 1
                            }
                        }
                        return failed
                    }
                }
                for try await failed in group { failures += failed }
            }
        }
        guard failures == 0 else { throw BenchmarkFailure("\(failures) lookups did not get an answer") }
        let ours = Double(lookups) / sequential.seconds
        report("DNSStubResolver, one lookup at a time", "\(format(ours, 0)) lookups/s")
        report("DNSStubResolver, 8 concurrent tasks", "\(format(Double(lookups) / concurrent.seconds, 0)) lookups/s")

        guard let python = TestPeers.python, TestPeers.pythonHas(["dns.resolver"]) else {
            print("  dnspython is not installed (Scripts/install-test-deps); no baseline")
            return
        }
        let script = """
            import sys, time, dns.resolver
            port, names, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = ["127.0.0.1"]
            r.port = port
            r.cache = None
            r.use_edns(0, 0, 1232)
            qnames = [dns.name.from_text("host%d.bench.test" % i) for i in range(names)]
            def run():
                for _ in range(rounds):
                    for q in qnames:
                        r.resolve(q, "A")
            run()
            best = min((lambda s: (run(), time.perf_counter() - s)[1])(time.perf_counter()) for _ in range(3))
            print(best)
            """
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script, String(server.port), String(names), String(rounds)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchmarkFailure("the dnspython baseline failed: \(output)")
        }
        let baseline = Double(lookups) / seconds
        report("dnspython \(dnspythonVersion(python)), one lookup at a time", "\(format(baseline, 0)) lookups/s")
        report("ratio (ours / dnspython, one at a time)", "\(format(ours / baseline, 2))x")
    }

    private static func dnspythonVersion(_ python: URL) -> String {
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", "import dns.version; print(dns.version.version)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return "" }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

