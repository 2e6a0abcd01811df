import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

/// Every identifier a user types is discovered and cached, and every provider gets an
/// association: a flood of sign-ins with made-up identifiers must leave bounded state.
@Suite struct BoundedStateTests {
    /// Every host is an OP identifier with its own endpoint, and associates with anyone.
    struct EveryHostIsAProvider: HTTPClient {
        func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
            let host = request.url.host ?? "unknown"
            if request.method == .post {
                let answer = try KeyValueForm.encode([
                    ("ns", OpenIDMessage.namespace), ("assoc_type", "HMAC-SHA256"), ("session_type", "no-encryption"),
                    ("assoc_handle", "handle-\(host)"), ("expires_in", "3600"),
                    ("mac_key", Data(repeating: 7, count: 32).base64EncodedString()),
                ])
                return HTTPResponse(status: 200, body: Data(answer.utf8))
            }
            let xrds = """
                <xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service>
                <Type>http://specs.openid.net/auth/2.0/server</Type><URI>https://\(host)/op</URI></Service></XRD></xrds:XRDS>
                """
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/xrds+xml"], body: Data(xrds.utf8))
        }
    }

    static let limit = 20

    /// The stores under test with small limits, and a way to count what they hold.
    struct BoundedStores {
        let nonces: any NonceStore
        let associations: any AssociationStore
        let cache: any DiscoveryCache
        let directory: TemporaryDirectory?
        let counts: @Sendable () async throws -> (associations: Int, discovery: Int)

        init(_ kind: StoreKind) throws {
            switch kind {
            case .memory:
                let associations = InMemoryAssociationStore(capacity: BoundedStateTests.limit)
                let cache = InMemoryDiscoveryCache(capacity: BoundedStateTests.limit)
                (nonces, self.associations, self.cache, directory) = (InMemoryNonceStore(), associations, cache, nil)
                counts = { (associations.count, cache.count) }
            case .sqlite:
                let directory = try TemporaryDirectory(prefix: "openid-bounded")
                var configuration = SQLiteOpenIDStore.Configuration()
                configuration.maximumAssociations = BoundedStateTests.limit
                configuration.maximumDiscoveryEntries = BoundedStateTests.limit
                let store = try SQLiteOpenIDStore(path: directory.path("state.sqlite"), configuration: configuration)
                (nonces, associations, cache, self.directory) = (store, store, store, directory)
                counts = {
                    let counts = try await store.entryCounts()
                    return (counts.associations, counts.discoveryEntries)
                }
            }
        }
    }

    /// A full nonce store refuses rather than forgets (forgetting would allow replays).
    @Test func fullNonceStoreRefusesNewNonces() async throws {
        let store = InMemoryNonceStore(capacity: 3)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<3 { #expect(try await store.consume(nonce: "n\(index)", endpoint: "e", expiresAt: now.addingTimeInterval(Double(index)))) }
        await #expect(throws: OpenIDError.store) { try await store.consume(nonce: "n3", endpoint: "e", expiresAt: now) }
        #expect(try await store.consume(nonce: "n0", endpoint: "e", expiresAt: now) == false)
        try await store.removeExpiredNonces(before: now.addingTimeInterval(0.5))
        #expect(store.count == 2)
        #expect(try await store.consume(nonce: "n3", endpoint: "e", expiresAt: now.addingTimeInterval(600)))
    }

    @Test(arguments: StoreKind.allCases)
    func floodOfBeginsLeavesBoundedState(kind: StoreKind) async throws {
        let stores = try BoundedStores(kind)
        let clock = ManualClock()
        var configuration = OpenIDRelyingParty.Configuration(
            realm: "https://mail.example/", returnTo: URL(string: "https://mail.example/openid/return")!)
        configuration.associationPolicy = .associate([.plainSHA256])
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        let rp = OpenIDRelyingParty(
            configuration: configuration, httpClient: EveryHostIsAProvider(), nonceStore: stores.nonces,
            associationStore: stores.associations, discoveryCache: stores.cache, clock: clock)
        for index in 0..<(5 * Self.limit) {
            let request = try await rp.begin(identifier: "https://user\(index).example/")
            #expect(request.message["assoc_handle"] == "handle-user\(index).example")
            clock.advance(by: 1)
        }
        let flooded = try await stores.counts()
        #expect(flooded.associations > 0 && flooded.associations <= Self.limit, "\(flooded)")
        #expect(flooded.discovery > 0 && flooded.discovery <= Self.limit, "\(flooded)")
        // The newest provider's association survived the flood.
        let last = "https://user\(5 * Self.limit - 1).example/op"
        #expect(try await stores.associations.newestAssociation(endpoint: last, at: clock.now()) != nil)

        // Once everything has expired, the next sign-in's scheduled purge clears it.
        clock.advance(by: 3601)
        _ = try await rp.begin(identifier: "https://late.example/")
        let purged = try await stores.counts()
        #expect(purged.associations == 1 && purged.discovery == 1, "\(purged)")
    }
    /// A flood of long-lived associations from made-up providers does not push out one that
    /// sign-ins keep using (eviction goes by use, not by the expiry a provider chose).
    @Test(arguments: StoreKind.allCases)
    func usedAssociationSurvivesAFloodOfLongLivedOnes(kind: StoreKind) async throws {
        let stores = try BoundedStores(kind)
        let now = Date()
        let legitimate = OpenIDAssociation(
            endpoint: "https://login.ubuntu.com/+openid", handle: "legit", secret: Array(repeating: 1, count: 32),
            type: .hmacSHA256, issuedAt: now, expiresAt: now.addingTimeInterval(14 * 24 * 3600))
        try await stores.associations.store(legitimate)
        for index in 0..<(Self.limit * 5) {
            try await stores.associations.store(OpenIDAssociation(
                endpoint: "https://flood\(index).example/op", handle: "h\(index)", secret: Array(repeating: 2, count: 32),
                type: .hmacSHA256, issuedAt: now, expiresAt: now.addingTimeInterval(1e15)))
            // Sign-ins keep going meanwhile.
            if index % 5 == 0 {
                #expect(try await stores.associations.association(endpoint: legitimate.endpoint, handle: "legit", at: now) != nil)
            }
        }
        #expect(try await stores.associations.newestAssociation(endpoint: legitimate.endpoint, at: now)?.handle == "legit")
        #expect(try await stores.counts().associations <= Self.limit)
    }

    /// A provider's `expires_in` is capped at 14 days.
    @Test func associationLifetimeIsCapped() async throws {
        struct LongLivedProvider: HTTPClient {
            func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
                let answer = try KeyValueForm.encode([
                    ("ns", OpenIDMessage.namespace), ("assoc_type", "HMAC-SHA256"), ("session_type", "no-encryption"),
                    ("assoc_handle", "forever"), ("expires_in", "1000000000000000"),
                    ("mac_key", Data(repeating: 7, count: 32).base64EncodedString()),
                ])
                return HTTPResponse(status: 200, body: Data(answer.utf8))
            }
        }
        let clock = ManualClock()
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: URL(string: "https://mail.example/r")!)
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        configuration.associationPolicy = .associate([.init(type: .hmacSHA256, session: .noEncryption)])
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: LongLivedProvider(), nonceStore: InMemoryNonceStore(),
                                    associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache(), clock: clock)
        let association = try await rp.associate(endpoint: "https://op.example/op")
        #expect(association.expiresAt.timeIntervalSince(clock.now()) == OpenIDRelyingParty.maximumAssociationLifetime)
        #expect(OpenIDRelyingParty.maximumAssociationLifetime == 14 * 24 * 3600)
    }
}
