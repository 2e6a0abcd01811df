import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

/// The store implementations every parameterised suite runs over.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    /// Fresh stores (the directory, when any, lives as long as the stores are used).
    func make() throws -> Stores {
        switch self {
        case .memory:
            return Stores(nonces: InMemoryNonceStore(), associations: InMemoryAssociationStore(), cache: InMemoryDiscoveryCache(), directory: nil)
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "openid-test")
            let store = try SQLiteOpenIDStore(path: directory.path("state.sqlite"))
            return Stores(nonces: store, associations: store, cache: store, directory: directory)
        }
    }
}

struct Stores: Sendable {
    let nonces: any NonceStore
    let associations: any AssociationStore
    let cache: any DiscoveryCache
    let directory: TemporaryDirectory?
}

/// A relying party wired to one or more fake providers, with a manual clock.
struct Harness {
    static let returnTo = URL(string: "https://mail.example/openid/return?session=abc")!
    static let alice = "https://openid.example/+id/alice"

    let clock = ManualClock()
    let provider: FakeOpenIDProvider
    let http: ScriptedHTTPClient
    let stores: Stores
    let rp: OpenIDRelyingParty

    init(
        store: StoreKind = .memory, policy: OpenIDRelyingParty.AssociationPolicy = .associate([.dhSHA256, .dhSHA1]),
        unsigned: OpenIDRelyingParty.UnsignedValuePolicy = .drop, extraProviders: [FakeOpenIDProvider] = [],
        providerConfiguration: FakeOpenIDProvider.Configuration = .init(),
        identity: FakeOpenIDProvider.Identity = FakeOpenIDProvider.Identity(
            claimedIdentifier: Harness.alice, nickname: "alice", email: "alice@example.com", fullName: "Alice Liddell",
            teams: ["ubuntumembers", "canonical"])
    ) async throws {
        provider = FakeOpenIDProvider(configuration: providerConfiguration, clock: clock)
        await provider.addIdentity(identity)
        http = FakeOpenIDProvider.httpClient(serving: [provider] + extraProviders)
        stores = try store.make()
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Self.returnTo)
        configuration.associationPolicy = policy
        configuration.unsignedValuePolicy = unsigned
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        configuration.extensionTrust = .opIdentifiers([provider.configuration.opIdentifier])
        rp = OpenIDRelyingParty(
            configuration: configuration, httpClient: http, nonceStore: stores.nonces,
            associationStore: stores.associations, discoveryCache: stores.cache, clock: clock)
    }

    /// Begins at the OP identifier and returns the provider's positive answer URL.
    func signIn(
        options: OpenIDAuthenticationOptions = .init(), forgeries: [FakeOpenIDProvider.Forgery] = [], as claimed: String = Harness.alice
    ) async throws -> URL {
        let request = try await rp.begin(identifier: provider.configuration.opIdentifier.absoluteString, options: options)
        return try await provider.positiveAssertion(for: request.redirectURL, as: claimed, forgeries: forgeries)
    }
}
