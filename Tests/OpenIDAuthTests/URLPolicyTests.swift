import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import OpenIDAuth
import Synchronization
import Testing

/// The relying party's URL policy: what a stranger-named URL (claimed identifier, XRDS
/// endpoint, redirect, op_endpoint) can make us fetch.
@Suite struct URLPolicyTests {
    static let strict = OpenIDURLPolicy(resolver: StaticHostResolver())

    @Test(arguments: [
        "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "017700000001", "127.0.0.1.",
        "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254",
        "0.0.0.0", "0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "[::1]", "[::]", "[fc00::1]", "[fd12:3456::1]", "[fe80::1]", "[ff02::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
        "[::ffff:10.0.0.1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "[fec0::1]", "[2001:0:4136:e378::1]",
        "999.1.1.1", "1.2.3.4.5", "0x100.1.1.1",
    ])
    func internalAddressesAreRefused(host: String) async throws {
        await #expect(throws: OpenIDError.refusedURL) { try await Self.strict.check(URL(string: "https://\(host)/x")!) }
        var open = Self.strict
        open.allowsInsecureHTTP = true
        await #expect(throws: OpenIDError.refusedURL) { try await open.check(URL(string: "http://\(host):8080/x")!) }
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "1.1.1.1", "[2606:2800:220:1:248:1893:25c8:1946]"])
    func publicAddressesAreAllowed(host: String) async throws {
        try await Self.strict.check(URL(string: "https://\(host)/x")!)
    }

    /// IANA special-purpose ranges that are not globally reachable (the rule of Python's
    /// `ipaddress.is_global`), as literals and as what a name resolves to.
    @Test(arguments: [
        "198.18.0.1", "198.19.255.254", "192.0.0.1", "192.0.0.170", "192.0.2.1", "198.51.100.7", "203.0.113.10",
        "64:ff9b:1::a00:1", "::ffff:0:808:808", "2001:db8::1", "2001:2::1", "2001:10::1", "3fff::1", "2002:808:808::1",
        "100::1",
    ])
    func addressesThatAreNotGloballyReachableAreRefused(address: String) async throws {
        let literal = address.contains(":") ? "[\(address)]" : address
        await #expect(throws: OpenIDError.refusedURL) { try await Self.strict.check(URL(string: "https://\(literal)/x")!) }
        let named = OpenIDURLPolicy(resolver: StaticHostResolver(["op.example": [address]]))
        await #expect(throws: OpenIDError.refusedURL) { try await named.check(URL(string: "https://op.example/x")!) }
    }

    /// The globally reachable exceptions inside special-purpose blocks stay allowed.
    @Test(arguments: ["192.0.0.9", "192.0.0.10", "[2001:3::1]", "[2001:20::1]", "[64:ff9b::808:808]", "[2001:4860:4860::8888]"])
    func globallyReachableSpecialPurposeAddressesAreAllowed(host: String) async throws {
        try await Self.strict.check(URL(string: "https://\(host)/x")!)
    }

    /// `UInt64(_:radix:)` reads a leading sign; an address part never has one.
    @Test(arguments: ["1.1.1.+1", "+1.1.1.1", "1.1.1.-1", "0x+1.1.1.1"])
    func signedNumbersAreNotAddresses(host: String) async throws {
        await #expect(throws: OpenIDError.refusedURL) { try await Self.strict.check(URL(string: "https://\(host)/x")!) }
    }

    /// libcurl answers `localhost` and `*.localhost` with loopback itself, whatever DNS says.
    @Test(arguments: ["localhost", "LocalHost.", "op.localhost", "a.b.localhost."])
    func localhostNamesAreLoopbackWhateverTheResolverSays(host: String) async throws {
        let lying = OpenIDURLPolicy(resolver: StaticHostResolver(fallback: ["1.1.1.1"]))
        await #expect(throws: OpenIDError.refusedURL) { try await lying.check(URL(string: "https://\(host)/x")!) }
    }

    /// Zone ids, percent-encoded hosts, trailing dots and IDN hosts are judged by where they lead.
    @Test func unusualHostSpellingsAreJudgedByWhereTheyLead() async throws {
        let policy = OpenIDURLPolicy(resolver: StaticHostResolver([
            "public.example.": ["1.1.1.1"], "internal.example.": ["10.0.0.1"], "xn--bcher-kva.example": ["1.1.1.1"],
            "xn--intrnt-dva.example": ["10.0.0.1"], "public.example": ["1.1.1.1"],
        ]))
        for refused in ["https://[fe80::1%25eth0]/", "https://%31%32%37.0.0.1/", "https://internal.example./",
                        "https://intérnt.example/", "https://xn--intrnt-dva.example/"] {
            guard let url = URL(string: refused) else { continue }   // a URL the parser refuses cannot be fetched either
            await #expect(throws: OpenIDError.refusedURL, "\(refused)") { try await policy.check(url) }
        }
        try await policy.check(URL(string: "https://public.example./")!)
        // The A-label is what is resolved and connected to, so an IDN provider is allowed.
        let idn = try #require(URL(string: "https://bücher.example/openid"))
        try await policy.check(idn)
        try await policy.check(URL(string: "https://xn--bcher-kva.example/openid")!)
    }

    /// Every address refusal reads the same: a stranger learns nothing about internal names.
    @Test func addressRefusalsDoNotTellNamesApart() async throws {
        let policy = OpenIDURLPolicy(resolver: StaticHostResolver(["internal.example": ["10.0.0.1"], "odd.example": ["::"]]))
        var messages = Set<String>()
        for host in ["internal.example", "odd.example", "missing.example", "127.0.0.1", "999.1.1.1"] {
            do {
                try await policy.check(URL(string: "https://\(host)/")!)
                Issue.record("\(host) was allowed")
            } catch {
                messages.insert(error.message)
            }
        }
        #expect(messages.count == 1, "\(messages)")
    }

    @Test func privateNetworkOptInAllowsLoopbackButNeverUnusableAddresses() async throws {
        let policy = OpenIDURLPolicy.privateNetwork(resolver: StaticHostResolver())
        for host in ["127.0.0.1", "10.0.0.1", "[::1]", "[fd00::1]", "169.254.1.1"] {
            try await policy.check(URL(string: "http://\(host)/")!)
        }
        for host in ["0.0.0.0", "224.0.0.1", "255.255.255.255", "[::]", "[ff02::1]"] {
            await #expect(throws: OpenIDError.refusedURL) { try await policy.check(URL(string: "http://\(host)/")!) }
        }
    }

    @Test func namesAreJudgedByEveryAddressTheyResolveTo() async throws {
        let policy = OpenIDURLPolicy(resolver: StaticHostResolver([
            "public.example": ["93.184.216.34", "2606:2800:220:1::1"], "service.example": ["10.0.0.5"],
            "mixed.example": ["93.184.216.34", "127.0.0.1"], "mapped.example": ["::ffff:169.254.169.254"],
            "garbage.example": ["not an address"],
        ]))
        try await policy.check(URL(string: "https://public.example/")!)
        for host in ["service.example", "mixed.example", "mapped.example", "garbage.example", "unknown.example"] {
            await #expect(throws: OpenIDError.refusedURL) { try await policy.check(URL(string: "https://\(host)/")!) }
        }
    }

    /// The real resolver (getaddrinfo on its own thread). It looks `localhost.` up fully
    /// qualified: a resolver that knows it answers loopback, /etc/hosts (which lists
    /// `localhost` without the dot) does not answer at all. The policy judges localhost
    /// names as loopback without asking.
    @Test func systemResolverJudgesLocalhostByItsAddresses() async throws {
        do {
            let addresses = try await SystemHostResolver().addresses(of: "localhost")
            #expect(addresses.allSatisfy { $0 == "::1" || $0.hasPrefix("127.") }, "\(addresses)")
        } catch {
            #expect(error == .refusedURL)
        }
        await #expect(throws: OpenIDError.refusedURL) { try await OpenIDURLPolicy().check(URL(string: "https://localhost/")!) }
        try await OpenIDURLPolicy.privateNetwork().check(URL(string: "http://localhost:8000/")!)
    }

    @Test func schemesCredentialsAndDowngradesAreRefused() async throws {
        let policy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        await #expect(throws: OpenIDError.refusedURL) { try await policy.check(URL(string: "http://op.example/")!) }
        await #expect(throws: OpenIDError.refusedURL) { try await policy.check(URL(string: "ftp://op.example/")!) }
        await #expect(throws: OpenIDError.refusedURL) { try await policy.check(URL(string: "https://user:pw@op.example/")!) }
        var withHTTP = policy
        withHTTP.allowsInsecureHTTP = true
        try await withHTTP.check(URL(string: "http://op.example/")!)
        await #expect(throws: OpenIDError.refusedURL) {
            try await withHTTP.check(URL(string: "http://op.example/")!, redirectedFrom: URL(string: "https://op.example/")!)
        }
    }

    @Test func discoveryRefusesRedirectsToWeakerSchemesAndRefusedAddresses() async throws {
        var policy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        policy.allowsInsecureHTTP = true
        for location in ["http://bob.example/plain", "https://127.0.0.1/admin", "https://[::1]/", "https://2130706433/"] {
            let http = ScriptedHTTPClient(replies: [
                .response(HTTPResponse(status: 302, headers: ["Location": location])),
                .response(HTTPResponse(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html></html>".utf8))),
            ])
            let discovery = OpenIDDiscovery(httpClient: http, cache: InMemoryDiscoveryCache(), clock: ManualClock(), urlPolicy: policy)
            await #expect(throws: OpenIDError.refusedURL) { try await discovery.discover("https://bob.example/") }
            #expect(http.requests.count == 1, "\(location)")
        }
    }

    @Test func fetchesPerStepAreCapped() async throws {
        var policy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        policy.maximumFetches = 3
        let hops = (0..<5).map { ScriptedHTTPClient.Reply.response(HTTPResponse(status: 302, headers: ["Location": "/hop\($0)"])) }
        let http = ScriptedHTTPClient(replies: hops)
        let discovery = OpenIDDiscovery(httpClient: http, cache: InMemoryDiscoveryCache(), clock: ManualClock(), urlPolicy: policy)
        await #expect(throws: OpenIDError.tooManyFetches) { try await discovery.discover("https://bob.example/") }
        #expect(http.requests.count == 3)
    }
}

/// Forged callbacks over real HTTP against a loopback listener that records every request.
@Suite struct ForgedCallbackTests {
    /// A listener standing for an service service; it answers 500 with a body that must
    /// never reach an error message.
    final class RequestLog: Sendable {
        let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    final class InternalService: Sendable {
        let log = RequestLog()
        let server: LoopbackHTTPServer

        init() throws {
            let log = self.log
            server = try LoopbackHTTPServer { request in
                log.append(request.method + " " + request.target)
                return .respond(status: 500, headers: [("Content-Type", "text/plain")], body: Data("internal-secret-4242".utf8))
            }
        }

        var count: Int { log.all.count }
        var base: String { server.baseURL.absoluteString }
    }

    static let returnTo = URL(string: "https://mail.example/openid/return")!

    func relyingParty(_ policy: OpenIDURLPolicy, policyForAssociations: OpenIDRelyingParty.AssociationPolicy = .stateless)
        -> OpenIDRelyingParty
    {
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Self.returnTo)
        configuration.urlPolicy = policy
        configuration.associationPolicy = policyForAssociations
        return OpenIDRelyingParty(
            configuration: configuration, httpClient: FoundationHTTPClient(), nonceStore: InMemoryNonceStore(),
            associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache())
    }

    /// A well-formed positive assertion with a garbage signature, naming `claimedID` and `endpoint`.
    func forgedCallback(claimedID: String, endpoint: String) -> URL {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        let fields = [
            ("openid.ns", OpenIDMessage.namespace), ("openid.mode", "id_res"), ("openid.op_endpoint", endpoint),
            ("openid.claimed_id", claimedID), ("openid.identity", claimedID), ("openid.return_to", Self.returnTo.absoluteString),
            ("openid.response_nonce", formatter.string(from: Date()) + "abc"), ("openid.assoc_handle", "forged"),
            ("openid.signed", "op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle"),
            ("openid.sig", "Z2FyYmFnZQ=="),
        ]
        return URL(string: Self.returnTo.absoluteString + "?" + FormURLEncoding.encode(fields))!
    }

    @Test(arguments: [false, true])
    func forgedCallbackNamingLoopbackCausesNoRequest(allowHTTP: Bool) async throws {
        let service = try InternalService()
        defer { service.server.stop() }
        // Names resolve through a fixed table (no DNS traffic); address literals never reach it.
        var policy = OpenIDURLPolicy(resolver: StaticHostResolver(["op.example.net": ["1.1.1.1"]]))
        policy.allowsInsecureHTTP = allowHTTP   // with http allowed, only the address rule stands in the way
        let rp = relyingParty(policy)
        let callbacks = [
            forgedCallback(claimedID: service.base + "/internal/admin?action=x", endpoint: "https://op.example.net/"),
            forgedCallback(claimedID: "https://op.example.net/alice", endpoint: service.base + "/op"),
            // A public op_endpoint, so these reach the claimed_id check itself.
            forgedCallback(claimedID: "http://2130706433:\(service.server.port)/internal/admin?action=x", endpoint: "https://op.example.net/"),
            forgedCallback(claimedID: "http://[::ffff:127.0.0.1]:\(service.server.port)/admin", endpoint: "https://op.example.net/"),
        ]
        for callback in callbacks {
            do {
                _ = try await rp.complete(callbackURL: callback)
                Issue.record("a forged callback was accepted")
            } catch {
                #expect(!error.message.contains("internal-secret") && !error.message.contains("500"), "\(error)")
            }
        }
        #expect(service.count == 0, "\(service.log.all)")
    }

    /// A resolver that counts lookups.
    final class CountingResolver: OpenIDHostResolver {
        let lookups = Mutex<[String]>([])
        func addresses(of host: String) async throws(OpenIDError) -> [String] {
            lookups.withLock { $0.append(host) }
            return ["1.1.1.1"]
        }
    }

    /// With an association held for op_endpoint and the handle, a bad signature is refused
    /// before any host name lookup or request (a never-answering DNS server named in forged
    /// callbacks must not tie up the resolver).
    @Test func forgedCallbackWithAHeldAssociationCausesNoLookupAndNoRequest() async throws {
        let resolver = CountingResolver()
        let http = ScriptedHTTPClient(replies: [])
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Self.returnTo)
        configuration.urlPolicy = OpenIDURLPolicy(resolver: resolver)
        let associations = InMemoryAssociationStore()
        try await associations.store(OpenIDAssociation(
            endpoint: "https://slow-dns.example.net/op", handle: "forged", secret: Array(repeating: 1, count: 32), type: .hmacSHA256,
            issuedAt: Date(), expiresAt: Date().addingTimeInterval(3600)))
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: InMemoryNonceStore(),
                                    associationStore: associations, discoveryCache: InMemoryDiscoveryCache())
        let callback = forgedCallback(claimedID: "https://victim.example.org/alice", endpoint: "https://slow-dns.example.net/op")
        await #expect(throws: OpenIDError.invalidSignature) { try await rp.complete(callbackURL: callback) }
        #expect(resolver.lookups.withLock { $0 }.isEmpty)
        #expect(http.requests.isEmpty)
    }

    @Test func whatAnAllowedInternalServerAnswersIsNotRepeated() async throws {
        let service = try InternalService()
        defer { service.server.stop() }
        let rp = relyingParty(.privateNetwork())
        let callback = forgedCallback(claimedID: service.base + "/internal/admin?action=x", endpoint: service.base + "/op")
        do {
            _ = try await rp.complete(callbackURL: callback)
            Issue.record("a forged callback was accepted")
        } catch {
            #expect(error == .discoveryMismatch)
            #expect(!error.message.contains("500") && !error.message.contains("internal-secret") && !error.message.contains("action"),
                    "\(error)")
        }
        #expect(service.count == 1)
    }

    @Test func xrdsNamingAnInternalEndpointGetsNoAssociateRequest() async throws {
        let service = try InternalService()
        defer { service.server.stop() }
        let xrds = """
            <?xml version="1.0" encoding="UTF-8"?>
            <xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service>
            <Type>http://specs.openid.net/auth/2.0/server</Type><URI>\(service.base)/op</URI></Service></XRD></xrds:XRDS>
            """
        let http = ScriptedHTTPClient(replies: [
            .response(HTTPResponse(status: 200, headers: ["Content-Type": "application/xrds+xml"], body: Data(xrds.utf8))),
        ])
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Self.returnTo)
        configuration.urlPolicy = OpenIDURLPolicy(allowsInsecureHTTP: true, resolver: StaticHostResolver.everyNameIsPublic)
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: InMemoryNonceStore(),
                                    associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache())
        await #expect(throws: OpenIDError.refusedURL) { try await rp.begin(identifier: "https://op.example/") }
        await #expect(throws: OpenIDError.refusedURL) { try await rp.associate(endpoint: service.base + "/op") }
        #expect(http.requests.count == 1)   // the XRDS only: no associate POST went anywhere
        #expect(service.count == 0)
    }
}
