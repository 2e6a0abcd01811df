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

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "203.0.113.10", "[2606:2800:220:1:248:1893:25c8:1946]"])
    func publicAddressesAreAllowed(host: String) async throws {
        try await Self.strict.check(URL(string: "https://\(host)/x")!)
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

    /// The real resolver (getaddrinfo on its own thread; `localhost` comes from /etc/hosts).
    @Test func systemResolverJudgesLocalhostByItsAddresses() async throws {
        let addresses = try await SystemHostResolver().addresses(of: "localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0 == "127.0.0.1" || $0 == "::1" || $0.hasPrefix("127.") }, "\(addresses)")
        await #expect(throws: OpenIDError.refusedURL) { try await OpenIDURLPolicy().check(URL(string: "https://localhost/")!) }
        try await OpenIDURLPolicy.privateNetwork().check(URL(string: "http://localhost:8000/")!)
    }

    @Test func schemesCredentialsAndDowngradesAreRefused() async throws {
        let policy = OpenIDURLPolicy(resolver: StaticHostResolver.publicDocumentationAddress)
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
        var policy = OpenIDURLPolicy(resolver: StaticHostResolver.publicDocumentationAddress)
        policy.allowsInsecureHTTP = true
        for location in ["http://bob.example/plain", "https://127.0.0.1/admin", "https://[::1]/", "https://2130706433/"] {
            let http = ScriptedHTTPClient(replies: [
                .response(HTTPResponse(status: 302, headers: ["Location": location])),
                .response(HTTPResponse(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html></html>".utf8))),
            ])
            let discovery = OpenIDDiscovery(httpClient: http, cache: InMemoryDiscoveryCache(), clock: ManualOpenIDClock(), urlPolicy: policy)
            await #expect(throws: OpenIDError.refusedURL) { try await discovery.discover("https://bob.example/") }
            #expect(http.requests.count == 1, "\(location)")
        }
    }

    @Test func fetchesPerStepAreCapped() async throws {
        var policy = OpenIDURLPolicy(resolver: StaticHostResolver.publicDocumentationAddress)
        policy.maximumFetches = 3
        let hops = (0..<5).map { ScriptedHTTPClient.Reply.response(HTTPResponse(status: 302, headers: ["Location": "/hop\($0)"])) }
        let http = ScriptedHTTPClient(replies: hops)
        let discovery = OpenIDDiscovery(httpClient: http, cache: InMemoryDiscoveryCache(), clock: ManualOpenIDClock(), urlPolicy: policy)
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
        var policy = OpenIDURLPolicy(resolver: StaticHostResolver(["op.example.net": ["203.0.113.10"]]))
        policy.allowsInsecureHTTP = allowHTTP   // with http allowed, only the address rule stands in the way
        let rp = relyingParty(policy)
        let callbacks = [
            forgedCallback(claimedID: service.base + "/internal/admin?action=x", endpoint: "https://op.example.net/"),
            forgedCallback(claimedID: "https://op.example.net/alice", endpoint: service.base + "/op"),
            forgedCallback(claimedID: "http://2130706433:\(service.server.port)/internal/admin?action=x", endpoint: service.base + "/op"),
            forgedCallback(claimedID: "http://[::ffff:127.0.0.1]:\(service.server.port)/admin", endpoint: service.base + "/op"),
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
        configuration.urlPolicy = OpenIDURLPolicy(allowsInsecureHTTP: true, resolver: StaticHostResolver.publicDocumentationAddress)
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: InMemoryNonceStore(),
                                    associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache())
        await #expect(throws: OpenIDError.refusedURL) { try await rp.begin(identifier: "https://op.example/") }
        await #expect(throws: OpenIDError.refusedURL) { try await rp.associate(endpoint: service.base + "/op") }
        #expect(http.requests.count == 1)   // the XRDS only: no associate POST went anywhere
        #expect(service.count == 0)
    }
}
