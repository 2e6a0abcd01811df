import AliasStore
import CommunityMailTestSupport
import Foundation
import Testing

/// `Examples/aliases` as an admin runs it against an alias database.
@Suite("aliases example", .enabled(if: TestPeers.shouldRun(TestPeers.builtExecutable("aliases") != nil)))
struct AliasesExampleTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(try #require(TestPeers.builtExecutable("aliases"), "build the examples first (swift build)"), arguments)
    }

    @Test("user add on an existing user changes the address and keeps the ban and the OpenID claimed identifier")
    func userAddKeepsIdentity() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-example")
        let database = folder.path("aliases.sqlite")
        let identifier = "https://login.ubuntu.test/+id/AnaAnaA"
        do {
            let store = try SQLiteAliasStore(path: database)
            _ = try await store.saveUser(
                User(id: "ana", email: "ana@example.org", locale: "pt-BR", banned: true, claimedIdentifier: identifier),
                by: .person("root"))
        }
        let changed = try await run([database, "user", "add", "ana", "ana@example.net"])
        #expect(changed.status == 0, "\(changed.output)")

        let store = try SQLiteAliasStore(path: database)
        let user = try #require(try await store.user(id: "ana"))
        #expect(user.email == "ana@example.net")
        #expect(user.locale == "pt-BR")
        #expect(user.banned)
        #expect(user.claimedIdentifier == identifier)
        #expect(try await store.user(claimedIdentifier: identifier)?.id == "ana")

        let added = try await run([database, "user", "add", "bea", "bea@example.org", "--locale", "de"])
        #expect(added.status == 0, "\(added.output)")
        let bea = try #require(try await store.user(id: "bea"))
        #expect(bea.locale == "de" && !bea.banned && bea.claimedIdentifier == nil)
    }

    @Test("user rebind changes a recorded identifier, user release clears it; both are in the change log")
    func rebindAndRelease() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-example")
        let database = folder.path("aliases.sqlite")
        let old = "https://login.ubuntu.test/+id/AnaAnaA", new = "https://login.ubuntu.test/+id/AnaBbbB"
        do {
            let store = try SQLiteAliasStore(path: database)
            _ = try await store.saveUser(User(id: "ana", email: "ana@example.org", claimedIdentifier: old), by: .person("root"))
        }
        let rebound = try await run([database, "user", "rebind", "ana", new, "--as", "admin"])
        #expect(rebound.status == 0, "\(rebound.output)")
        #expect(!rebound.output.contains(new))
        let store = try SQLiteAliasStore(path: database)
        #expect(try await store.user(id: "ana")?.claimedIdentifier == new)
        #expect(try await store.user(claimedIdentifier: old) == nil)

        let released = try await run([database, "user", "release", "ana"])
        #expect(released.status == 0, "\(released.output)")
        #expect(try await store.user(id: "ana")?.claimedIdentifier == nil)

        let details = try await store.changes(after: 0, limit: 100).map(\.detail)
        #expect(details.contains { $0.contains("claimed identifier changed") })
        #expect(details.contains { $0.contains("claimed identifier released") })
        #expect(!details.contains { $0.contains(old) || $0.contains(new) })

        let refused = try await run([database, "user", "rebind", "ana", "not a url"])
        #expect(refused.status != 0)
        #expect(try await store.user(id: "ana")?.claimedIdentifier == nil)
    }
}
