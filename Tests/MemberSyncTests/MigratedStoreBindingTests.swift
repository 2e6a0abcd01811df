@testable import AliasStore
import CommunityMailSQL
import CommunityMailTestSupport
import Foundation
import MemberSync
import Testing

@Suite("MemberSyncService over an alias store file from before claimed identifiers")
struct MigratedStoreBindingTests {
    @Test("A user of a version 1 file is bound by their first sign-in, and a later rename moves the record")
    func versionOneFile() async throws {
        let folder = try TemporaryDirectory(prefix: "membersync-v1")
        let path = folder.path("aliases.sqlite")
        do {
            let raw = try SQLiteConnection(path: path)
            try raw.migrate(Array(SQLiteAliasStore.migrations.prefix(1)))
            try raw.run("INSERT INTO users (id, email, locale, banned) VALUES ('ana', 'ana@example.org', 'en', 0)")
        }
        let fixture = try await MemberSyncFixture(aliases: try SQLiteAliasStore(path: path), folder: folder)
        try fixture.addPerson("ana", teams: ["ubuntumembers"])
        let account = "https://login.ubuntu.com/+id/Ana7Xq2"
        try await fixture.service.sync(MemberIdentity(nickname: "ana", email: "ana@example.org", claimedID: account), with: try await fixture.map())
        #expect(try await fixture.aliases.user(claimedIdentifier: account)?.id == "ana")
        _ = try await fixture.aliases.createAlias(
            NewAlias(name: "ana.ng", domain: "ubuntu.com", owner: "ana", recipients: ["ana@example.org"]), by: .person("ana"))

        try fixture.addPerson("anna", teams: ["ubuntumembers"])
        let report = try await fixture.service.sync(
            MemberIdentity(nickname: "anna", email: "ana@example.org", claimedID: account), with: try await fixture.map())
        #expect(report.renamedFrom == "ana")
        #expect(try await fixture.aliases.user(id: "ana") == nil)
        #expect(try await fixture.aliases.user(claimedIdentifier: account)?.id == "anna")
        #expect(try await fixture.addresses(of: "anna") == ["ana.ng@ubuntu.com", "anna@ubuntu.com"])
    }
}
