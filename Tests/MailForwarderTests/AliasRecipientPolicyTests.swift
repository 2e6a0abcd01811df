import AliasStore
import CommunityMailSMTP
import MailForwarder
import Testing

/// AliasRecipientPolicy's postmaster rule (RFC 5321 section 4.5.1: an MX must accept mail to
/// `postmaster@` its domains and to the bare `Postmaster`).
@Suite("AliasRecipientPolicy: postmaster")
struct AliasRecipientPolicyTests {
    static let operators = ["ops@service.example"]

    func policy(postmaster: [String]) async throws -> AliasRecipientPolicy {
        let store = InMemoryAliasStore()
        try await ForwarderFixture.seed(store)
        _ = try await store.createAlias(
            NewAlias(name: "postmaster", domain: "ubuntu.test", owner: "ada", recipients: ["ada@home.example"]), by: .person("ada"))
        let srs = try SRSRewriter(configuration: .init(domain: "srs.example.net", secrets: ["policy-test-secret"]))
        return AliasRecipientPolicy(aliases: store, srs: srs, postmasterRecipients: postmaster)
    }

    @Test("With postmasterRecipients: the bare Postmaster and postmaster@ a served domain without its own alias reach them; a domain's own postmaster alias wins; other domains stay relay-denied")
    func postmasterAccepted() async throws {
        let policy = try await policy(postmaster: Self.operators)
        #expect(await policy.decide("Postmaster").recipients == Self.operators)
        #expect(await policy.decide("POSTMASTER@example.org").recipients == Self.operators)
        #expect(await policy.decide("postmaster@ubuntu.test").recipients == ["ada@home.example"])
        #expect(await policy.decide("postmaster@elsewhere.example").reply.summary == "550 5.7.1")
        #expect(await policy.decide("nobody@example.org").reply.summary == "550 5.1.1")
    }

    @Test("Without postmasterRecipients, postmaster is an address like any other")
    func postmasterUnset() async throws {
        let policy = try await policy(postmaster: [])
        #expect(await policy.decide("postmaster@example.org").reply.summary == "550 5.1.1")
        #expect(await policy.decide("Postmaster").recipients == nil)
        #expect(await policy.decide("postmaster@ubuntu.test").recipients == ["ada@home.example"])
    }
}
