import AliasStore
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation

/// One implementation of `AliasStore` for the shared suite.
struct StoreFactory: Sendable, CustomStringConvertible {
    let name: String
    private let make: @Sendable (AliasPolicy, ManualClock) throws -> StoreUnderTest

    var description: String { name }

    func callAsFunction(policy: AliasPolicy = AliasPolicy(), clock: ManualClock = ManualClock(start: Date(timeIntervalSince1970: 1_767_225_600))) throws -> StoreUnderTest {
        try make(policy, clock)
    }

    static let sqlite = StoreFactory(name: "SQLite") { policy, clock in
        let folder = try TemporaryDirectory(prefix: "aliases-test")
        var configuration = SQLiteAliasStore.Configuration()
        configuration.policy = policy
        configuration.clock = clock
        configuration.synchronous = .normal
        let store = try SQLiteAliasStore(path: folder.path("aliases.sqlite"), configuration: configuration)
        return StoreUnderTest(store: store, clock: clock, folder: folder)
    }

    static let memory = StoreFactory(name: "in-memory") { policy, clock in
        var configuration = InMemoryAliasStore.Configuration()
        configuration.policy = policy
        configuration.clock = clock
        return StoreUnderTest(store: InMemoryAliasStore(configuration: configuration), clock: clock, folder: nil)
    }

    static let all = [sqlite, memory]
}

/// A store with its clock, keeping its temporary folder alive as long as it is used.
struct StoreUnderTest: Sendable {
    let store: any AliasStore
    let clock: ManualClock
    let folder: TemporaryDirectory?
}

let admin = ChangeActor.person("ada")
let sync = ChangeActor.sync("launchpad")

extension AliasStore {
    /// Users ada (admin of both domains), bob (user), carol; verified example.org and
    /// ubuntu.test, unverified pending.test.
    func seedStandard() async throws {
        _ = try await saveUser(User(id: "ada", email: "ada@home.example"), by: sync)
        _ = try await saveUser(User(id: "bob", email: "bob@home.example", locale: "pt-BR"), by: sync)
        _ = try await saveUser(User(id: "carol", email: "carol@home.example"), by: sync)
        for name in ["example.org", "ubuntu.test", "pending.test"] {
            _ = try await createDomain(name, plan: .team, verificationToken: nil, by: sync)
            _ = try await setMember("ada", role: .admin, onDomain: name, by: sync)
            _ = try await setMember("bob", role: .user, onDomain: name, by: sync)
        }
        _ = try await recordVerification(domain: "example.org", verified: true, by: sync)
        _ = try await recordVerification(domain: "ubuntu.test", verified: true, by: sync)
    }

    @discardableResult
    func add(_ name: String, _ domain: String = "example.org", owner: String = "bob", to recipients: [String],
             enabled: Bool = true, by actor: ChangeActor = admin) async throws -> Alias {
        try await createAlias(NewAlias(name: name, domain: domain, owner: owner, recipients: recipients, enabled: enabled), by: actor)
    }
}
