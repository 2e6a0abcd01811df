import DNSVerify
import Testing

/// The checks' verdicts and messages, on the in-memory resolver.
@Suite("Domain checks")
struct DomainVerifierTests {
    static func zone(_ build: (InMemoryDNSResolver) throws -> Void) throws -> InMemoryDNSResolver {
        let fake = InMemoryDNSResolver()
        try fake.addZone("example.org")
        try build(fake)
        return fake
    }

    static func check(_ kind: DomainCheck.Kind, _ fake: InMemoryDNSResolver,
                      configure: (inout DomainVerifier.Configuration) -> Void = { _ in }) async throws -> DomainCheck {
        var configuration = DomainVerifier.Configuration()
        configure(&configuration)
        let report = try await DomainVerifier(resolver: fake, configuration: configuration).verify(domain: "example.org", token: "T0K")
        guard let check = report.checks.first(where: { $0.kind == kind }) else { throw DNSError.invalidRecord }
        return check
    }

    @Test("verification: strings are joined within a record; exactly one record counts")
    func verification() async throws {
        let split = try Self.zone { try $0.add("example.org", .txt([Array("forward-email-site-verification=".utf8), Array("T0K".utf8)])) }
        #expect(try await Self.check(.verification, split).status == .pass)

        let two = try Self.zone {
            try $0.add("example.org", .txt(text: "forward-email-site-verification=T0K"))
            try $0.add("example.org", .txt(text: "forward-email-site-verification=old"))
        }
        let twoCheck = try await Self.check(.verification, two)
        #expect(twoCheck.status == .fail)
        #expect(twoCheck.message.contains("keep only"))
        #expect(twoCheck.records.count == 2)

        let custom = try Self.zone { try $0.add("example.org", .txt(text: "community-mail=T0K")) }
        #expect(try await Self.check(.verification, custom) { $0.verificationPrefix = "community-mail=" }.status == .pass)
        let none = try await Self.check(.verification, custom)
        #expect(none.status == .fail)
        #expect(none.message.contains("Add a TXT record at example.org"))
    }

    @Test("MX: missing exchanges and other exchanges are named")
    func mailExchanges() async throws {
        let partial = try Self.zone {
            try $0.add("example.org", .mx(preference: 10, exchange: Samples.name("mx1.forwardemail.net")))
            try $0.add("example.org", .mx(preference: 5, exchange: Samples.name("mail.example.org")))
        }
        let check = try await Self.check(.mailExchanges, partial)
        #expect(check.status == .fail)
        #expect(check.message.contains("Add MX records for mx2.forwardemail.net"))
        #expect(check.message.contains("Remove the MX records for mail.example.org"))
        #expect(Set(check.records) == ["10 mx1.forwardemail.net", "5 mail.example.org"])
        let custom = try await Self.check(.mailExchanges, partial) { $0.mailExchanges = ["MX1.forwardemail.net.", "mail.example.org"] }
        #expect(custom.status == .pass)
        let empty = try await Self.check(.mailExchanges, try Self.zone { _ in })
        #expect(empty.status == .fail)
        #expect(empty.message.contains("No matching MX record"))
    }

    @Test("SPF: one record, the include with a pass qualifier")
    func spf() async throws {
        let good = try Self.zone { try $0.add("example.org", .txt(text: "v=spf1 a +include:SPF.forwardemail.net ~all")) }
        #expect(try await Self.check(.spf, good).status == .pass)
        let softInclude = try Self.zone { try $0.add("example.org", .txt(text: "v=spf1 ?include:spf.forwardemail.net -all")) }
        let soft = try await Self.check(.spf, softInclude)
        #expect(soft.status == .fail && soft.details["qualifier"] == "?")
        let two = try Self.zone {
            try $0.add("example.org", .txt(text: "v=spf1 include:spf.forwardemail.net -all"))
            try $0.add("example.org", .txt(text: "v=spf1 mx -all"))
        }
        let twoCheck = try await Self.check(.spf, two)
        #expect(twoCheck.status == .fail && twoCheck.message.contains("merge"))
        let without = try Self.zone { try $0.add("example.org", .txt(text: "v=spf1 mx -all")) }
        #expect(try await Self.check(.spf, without).message.contains("does not include include:spf.forwardemail.net"))
        let notSPF = try Self.zone { try $0.add("example.org", .txt(text: "v=spf10 include:spf.forwardemail.net")) }
        #expect(try await Self.check(.spf, notSPF).status == .fail)
    }

    @Test("DMARC: one v=DMARC1 record with p; p and pct reported")
    func dmarc() async throws {
        let good = try Self.zone { try $0.add("_dmarc.example.org", .txt(text: "v=DMARC1; p=Quarantine; pct=25; rua=mailto:d@example.org")) }
        let check = try await Self.check(.dmarc, good)
        #expect(check.status == .pass)
        #expect(check.details == ["p": "quarantine", "pct": "25"])
        #expect(check.name == "_dmarc.example.org")
        let noPolicy = try Self.zone { try $0.add("_dmarc.example.org", .txt(text: "v=DMARC1; rua=mailto:d@example.org")) }
        #expect(try await Self.check(.dmarc, noPolicy).status == .fail)
        let two = try Self.zone {
            try $0.add("_dmarc.example.org", .txt(text: "v=DMARC1; p=none"))
            try $0.add("_dmarc.example.org", .txt(text: "v=DMARC1; p=reject"))
        }
        #expect(try await Self.check(.dmarc, two).message.contains("keep one"))
        let missing = try await Self.check(.dmarc, try Self.zone { _ in })
        #expect(missing.status == .fail && missing.message.contains("NXDOMAIN"))
    }

    @Test("DKIM: key compared without whitespace; revoked and different keys fail")
    func dkim() async throws {
        let fake = try Self.zone {
            try $0.add("s1._domainkey.example.org", .txt([Array("v=DKIM1; k=rsa; p=MIIBIj".utf8), Array("ANBgkq".utf8)]))
            try $0.add("s2._domainkey.example.org", .txt(text: "v=DKIM1; p="))
        }
        #expect(try await Self.check(.dkim, fake) { $0.dkim = .init(selector: "s1", publicKey: "MIIB IjANBgkq") }.status == .pass)
        #expect(try await Self.check(.dkim, fake) { $0.dkim = .init(selector: "s1", publicKey: "v=DKIM1; p=MIIBIjANBgkq") }.status == .pass)
        let revoked = try await Self.check(.dkim, fake) { $0.dkim = .init(selector: "s2", publicKey: "MIIB") }
        #expect(revoked.status == .fail && revoked.message.contains("revoked"))
        let other = try await Self.check(.dkim, fake) { $0.dkim = .init(selector: "s1", publicKey: "OTHER") }
        #expect(other.status == .fail && other.message.contains("replace its p= value"))
    }

    @Test("return-path: the CNAME target must match")
    func returnPath() async throws {
        let fake = try Self.zone { try $0.add("fe-bounces.example.org", .cname(Samples.name("elsewhere.example.net"))) }
        let wrong = try await Self.check(.returnPath, fake) { $0.returnPath = .init(name: "fe-bounces") }
        #expect(wrong.status == .fail && wrong.message.contains("change it to forwardemail.net"))
        let right = try await Self.check(.returnPath, fake) {
            $0.returnPath = .init(name: "fe-bounces.example.org", target: "elsewhere.example.net")
        }
        #expect(right.status == .pass)
        let absent = try await Self.check(.returnPath, fake) { $0.returnPath = .init(name: "bounces") }
        #expect(absent.status == .fail && absent.message.contains("Add a CNAME record: bounces.example.org -> forwardemail.net"))
    }

    @Test("a transient DNS failure makes a check indeterminate, never failed",
          arguments: [DNSResult.Status.serverFailure, .refused, .timeout, .networkFailure, .malformedResponse])
    func transientFailures(_ status: DNSResult.Status) async throws {
        let fake = try Self.zone { try $0.add("example.org", .txt(text: "forward-email-site-verification=T0K")) }
        try fake.scriptFailure(status, for: "example.org", type: .mx)
        try fake.scriptFailure(status, for: "_dmarc.example.org")
        let report = try await DomainVerifier(resolver: fake).verify(domain: "example.org", token: "T0K")
        let statuses = Dictionary(uniqueKeysWithValues: report.checks.map { ($0.kind, $0.status) })
        #expect(statuses[.verification] == .pass)
        #expect(statuses[.mailExchanges] == .indeterminate)
        #expect(statuses[.dmarc] == .indeterminate)
        #expect(statuses[.spf] == .fail)
        #expect(report.status == .fail)
        // Once the failures are used up, the same checks give definite answers.
        let again = try await DomainVerifier(resolver: fake).verify(domain: "example.org", token: "T0K")
        #expect(again.checks.allSatisfy { $0.status != .indeterminate })
    }

    @Test("a report with no failure but an indeterminate check is indeterminate")
    func reportStatus() {
        let pass = DomainCheck(kind: .spf, status: .pass, name: "x", message: "")
        let unsure = DomainCheck(kind: .mailExchanges, status: .indeterminate, name: "x", message: "")
        #expect(DomainReport(domain: "x", checks: [pass, unsure]).status == .indeterminate)
        #expect(DomainReport(domain: "x", checks: [pass]).status == .pass)
    }

    @Test("bad input: invalid domains and empty tokens are typed errors")
    func badInput() async throws {
        let verifier = DomainVerifier(resolver: InMemoryDNSResolver())
        await #expect(throws: DNSError.invalidName) { try await verifier.verify(domain: "not a domain", token: "t") }
        await #expect(throws: DNSError.invalidConfiguration) { try await verifier.verify(domain: "example.org", token: "") }
    }
}
