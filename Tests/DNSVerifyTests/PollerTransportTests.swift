import CommunityMailSystem
import DNSVerify
import Testing

/// The resolver waits for replies on the system layer's one socket poller, not on a thread
/// per question.
@Suite("Lookups wait on the socket poller")
struct PollerTransportTests {
    @Test("a hundred lookups at a silent server all wait on the one poller, and cancelling ends them")
    func lookupsParkOnThePoller() async throws {
        let silent = try ScriptedDNSResponder { _ in [] }
        defer { silent.stop() }
        var configuration = DNSStubResolver.Configuration(nameservers: [silent.nameserver])
        configuration.timeout = .seconds(60)
        configuration.overallTimeout = .seconds(120)
        let resolver = try DNSStubResolver(configuration: configuration)
        let lookups = (0..<100).map { index in
            Task { await resolver.resolve(Samples.name("host\(index).example.org"), .a) }
        }
        while silent.queries.count < 100 { try await Task.sleep(for: .milliseconds(10)) }
        // Each question's receive registers with the shared poller just after its send
        // (other suites may add waits of their own, never fewer).
        let limit = ContinuousClock.now + .seconds(60)
        while SocketPoller.shared.waitingCount < 100, ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(10)) }
        #expect(SocketPoller.shared.waitingCount >= 100)
        for lookup in lookups { lookup.cancel() }
        for lookup in lookups {
            let result = await lookup.value
            #expect(result.status == .timeout)
            #expect(result.detail.contains("cancelled"))
        }
    }
}
