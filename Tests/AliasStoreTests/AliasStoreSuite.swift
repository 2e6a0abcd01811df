import AliasStore
import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

/// The shared suite: every test runs on the SQLite store and on the in-memory fake.
@Suite("AliasStore on SQLite and in memory")
struct AliasStoreSuite {
    // MARK: Users and domains

    @Test("Users are saved, normalised, updated and deleted", arguments: StoreFactory.all)
    func users(factory: StoreFactory) async throws {
        let store = try factory().store
        let saved = try await store.saveUser(User(id: "dana", email: "Dana@Bücher.Example", locale: "de"), by: sync)
        #expect(saved.email == "Dana@xn--bcher-kva.example")
        #expect(try await store.user(id: "dana") == saved)
        var banned = saved
        banned.banned = true
        _ = try await store.saveUser(banned, by: admin)
        #expect(try await store.user(id: "dana")?.banned == true)
        await #expect(throws: AliasStoreError.invalidField) { _ = try await store.saveUser(User(id: "x", email: "x@y.org", locale: "en US"), by: sync) }
        await #expect(throws: AliasStoreError.invalidField) { _ = try await store.saveUser(User(id: "", email: "x@y.org"), by: sync) }
        await #expect(throws: AliasStoreError.invalidAddress) { _ = try await store.saveUser(User(id: "x", email: "not-an-address"), by: sync) }
        try await store.deleteUser(id: "dana", by: admin)
        #expect(try await store.user(id: "dana") == nil)
        await #expect(throws: AliasStoreError.userNotFound) { try await store.deleteUser(id: "dana", by: admin) }
        let log = try await store.changes(after: 0, limit: 100)
        #expect(log.map(\.action) == [.create, .update, .delete])
        #expect(log.map(\.actor) == [sync, admin, admin])
    }

    @Test("A claimed identifier is stored, found, survives a snapshot, and belongs to one user at a time", arguments: StoreFactory.all)
    func claimedIdentifiers(factory: StoreFactory) async throws {
        let store = try factory().store
        let ana = "https://login.ubuntu.test/+id/AnaAnaA"
        let saved = try await store.saveUser(User(id: "ana", email: "ana@home.example", claimedIdentifier: ana), by: sync)
        #expect(saved.claimedIdentifier == ana)
        #expect(try await store.user(id: "ana")?.claimedIdentifier == ana)
        #expect(try await store.user(claimedIdentifier: ana)?.id == "ana")
        #expect(try await store.user(claimedIdentifier: "https://login.ubuntu.test/+id/Nobody1") == nil)
        // One person, one record: a second user cannot take the identifier...
        await #expect(throws: AliasStoreError.duplicateClaimedIdentifier) {
            _ = try await store.saveUser(User(id: "anna", email: "ana@home.example", claimedIdentifier: ana), by: sync)
        }
        #expect(try await store.user(id: "anna") == nil)
        // ...until the first one lets it go, which only rebindUser does.
        _ = try await store.rebindUser(id: "ana", claimedIdentifier: nil, by: admin)
        _ = try await store.saveUser(User(id: "anna", email: "ana@home.example", claimedIdentifier: ana), by: sync)
        #expect(try await store.user(claimedIdentifier: ana)?.id == "anna")
        for bad in [
            "", "https://login.ubuntu.test/+id/with space", "https://login.ubuntu.test/+id/\n", String(repeating: "x", count: 2049),
            "urn:openid:ana", "https:///+id/NoHost", "mailto:ana@home.example",
        ] {
            await #expect(throws: AliasStoreError.invalidField, "\(bad.prefix(40))") {
                _ = try await store.saveUser(User(id: "bad", email: "bad@home.example", claimedIdentifier: bad), by: sync)
            }
        }
        let snapshot = try await store.snapshot()
        #expect(try AliasStoreSnapshot(jsonData: try snapshot.jsonData()) == snapshot)
        let copy = try factory().store
        try await copy.restore(snapshot)
        #expect(try await copy.user(claimedIdentifier: ana)?.id == "anna")
        var twice = snapshot
        twice.users = twice.users.map { User(id: $0.id, email: $0.email, claimedIdentifier: ana) }
        await #expect(throws: AliasStoreError.invalidSnapshot) { try await factory().store.restore(twice) }
    }

    @Test("Saving a user never erases or replaces the claimed identifier; rebindUser changes it, and the log says so", arguments: StoreFactory.all)
    func savingKeepsTheClaimedIdentifier(factory: StoreFactory) async throws {
        let store = try factory().store
        let ana = "https://login.ubuntu.test/+id/AnaAnaA"
        _ = try await store.saveUser(User(id: "ana", email: "ana@home.example", claimedIdentifier: ana), by: sync)
        // A user built without the identifier (a form, an import) keeps the stored one.
        let saved = try await store.saveUser(User(id: "ana", email: "ana@new.example", locale: "de"), by: admin)
        #expect(saved.claimedIdentifier == ana)
        #expect(try await store.user(id: "ana") == User(id: "ana", email: "ana@new.example", locale: "de", claimedIdentifier: ana))
        // Another identifier is not a detail a save may change.
        await #expect(throws: AliasStoreError.claimedIdentifierBound) {
            _ = try await store.saveUser(User(id: "ana", email: "ana@new.example", claimedIdentifier: "https://login.ubuntu.test/+id/Other11"), by: sync)
        }
        #expect(try await store.user(id: "ana")?.claimedIdentifier == ana)
        let other = "https://login.ubuntu.test/+id/Other11"
        #expect(try await store.rebindUser(id: "ana", claimedIdentifier: other, by: admin).claimedIdentifier == other)
        #expect(try await store.user(claimedIdentifier: other)?.id == "ana")
        await #expect(throws: AliasStoreError.userNotFound) { _ = try await store.rebindUser(id: "nobody", claimedIdentifier: nil, by: admin) }
        _ = try await store.saveUser(User(id: "bo", email: "bo@home.example", claimedIdentifier: ana), by: sync)
        await #expect(throws: AliasStoreError.duplicateClaimedIdentifier) { _ = try await store.rebindUser(id: "ana", claimedIdentifier: ana, by: admin) }
        let details = try await store.changes(after: 0, limit: 100).filter { $0.entity == .user && $0.key == "ana" }.map(\.detail)
        #expect(details == ["active, claimed identifier recorded", "active", "active, claimed identifier changed"])
        #expect(!details.joined().contains("login.ubuntu.test"))
    }

    @Test("moveUser moves a record to another id in one change: aliases, roles, ban and identifier; the old id is gone", arguments: StoreFactory.all)
    func movingAUser(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        let bobs = "https://login.ubuntu.test/+id/BobBob1"
        var bob = try #require(try await store.user(id: "bob"))
        bob.banned = true
        _ = try await store.saveUser(bob, by: admin)
        _ = try await store.rebindUser(id: "bob", claimedIdentifier: bobs, by: admin)
        let made = try await store.createAlias(NewAlias(name: "bob", domain: "example.org", owner: "bob", recipients: ["bob@home.example"]), by: sync)
        let own = try await store.createAlias(NewAlias(name: "bobby", domain: "example.org", owner: "bob", recipients: ["bob@home.example"]), by: admin)
        _ = try await store.setMember("bob", role: .admin, onDomain: "ubuntu.test", by: admin)
        // A record already under the new id without an identifier is taken over; one with another is not.
        _ = try await store.saveUser(User(id: "robert", email: "old@home.example"), by: admin)
        _ = try await store.saveUser(User(id: "rob", email: "rob@home.example", claimedIdentifier: "https://login.ubuntu.test/+id/Rob2222"), by: admin)
        let before = try await store.snapshot()
        await #expect(throws: AliasStoreError.claimedIdentifierBound) {
            _ = try await store.moveUser(id: "bob", to: User(id: "rob", email: "bob@home.example"), deletingAliasesProvisionedBy: sync, by: sync)
        }
        await #expect(throws: AliasStoreError.userNotFound) {
            _ = try await store.moveUser(id: "nobody", to: User(id: "robert", email: "bob@home.example"), deletingAliasesProvisionedBy: sync, by: sync)
        }
        #expect(try await store.snapshot() == before)

        let move = try await store.moveUser(
            id: "bob", to: User(id: "robert", email: "bob@home.example", locale: "pt-BR"), deletingAliasesProvisionedBy: sync, by: sync)
        #expect(move.user == User(id: "robert", email: "bob@home.example", locale: "pt-BR", banned: true, claimedIdentifier: bobs))
        #expect(move.deletedAliases.map(\.id) == [made.id])
        #expect(move.movedAliases.map(\.id) == [own.id])
        #expect(try await store.user(id: "bob") == nil)
        #expect(try await store.user(id: "robert") == move.user)
        #expect(try await store.user(claimedIdentifier: bobs)?.id == "robert")
        #expect(try await store.alias(id: made.id) == nil)
        #expect(try await store.alias(id: own.id)?.owner == "robert")
        #expect(try await store.alias(id: own.id)?.revision == own.revision + 1)
        for domain in try await store.domains() {
            #expect(domain.role(of: "bob") == nil, "\(domain.name)")
            #expect(domain.role(of: "robert") == (domain.name == "ubuntu.test" ? .admin : .user), "\(domain.name)")
        }
        // The banned owner's moved alias still rejects mail.
        #expect(await store.resolve("bobby@example.org").rejection != nil)
    }

    @Test("Domains are stored as A-labels, with plan, token, verification and members", arguments: StoreFactory.all)
    func domains(factory: StoreFactory) async throws {
        let test = try factory()
        let store = test.store
        _ = try await store.saveUser(User(id: "ada", email: "ada@home.example"), by: sync)
        let created = try await store.createDomain("Bücher.Example.", plan: .free, verificationToken: "6IsURgl2t7", by: sync)
        #expect(created.name == "xn--bcher-kva.example")
        #expect(created.displayName == "bücher.example")
        #expect(created.verificationToken == "6IsURgl2t7")
        #expect(!created.verified && created.lastCheckedAt == nil)
        let generated = try await store.createDomain("ubuntu.test", plan: .team, verificationToken: nil, by: sync)
        #expect(generated.verificationToken.count == 10)
        await #expect(throws: AliasStoreError.duplicateDomain) { _ = try await store.createDomain("XN--BCHER-KVA.example", plan: .free, verificationToken: nil, by: sync) }
        for bad in ["", "localhost", "exa mple.org", "-bad.org", "a..b.org", String(repeating: "a", count: 64) + ".org", "[192.0.2.1]", "example.123"] {
            await #expect(throws: AliasStoreError.invalidDomain, "\(bad)") { _ = try await store.createDomain(bad, plan: .free, verificationToken: nil, by: sync) }
        }
        await #expect(throws: AliasStoreError.invalidField) { _ = try await store.createDomain("token.test", plan: .free, verificationToken: "no spaces", by: sync) }
        test.clock.advance(by: 60)
        let checked = try await store.recordVerification(domain: "bücher.example", verified: true, by: sync)
        #expect(checked.verified && checked.lastCheckedAt == test.clock.now().addingTimeInterval(0) && checked.updatedAt > checked.createdAt)
        _ = try await store.setPlan(.enhanced, forDomain: "xn--bcher-kva.example", by: admin)
        _ = try await store.setMember("ada", role: .user, onDomain: "bücher.example", by: admin)
        let promoted = try await store.setMember("ada", role: .admin, onDomain: "bücher.example", by: admin)
        #expect(promoted.members == [DomainMember(userID: "ada", role: .admin)])
        #expect(promoted.plan == .enhanced)
        await #expect(throws: AliasStoreError.userNotFound) { _ = try await store.setMember("nobody", role: .user, onDomain: "bücher.example", by: admin) }
        await #expect(throws: AliasStoreError.domainNotFound) { _ = try await store.setPlan(.free, forDomain: "missing.test", by: admin) }
        await #expect(throws: AliasStoreError.userInUse) { try await store.deleteUser(id: "ada", by: admin) }
        #expect(try await store.domain(named: "BÜCHER.example") == promoted)
        #expect(try await store.domains().map(\.name) == ["ubuntu.test", "xn--bcher-kva.example"])
        let removed = try await store.removeMember("ada", fromDomain: "bücher.example", by: admin)
        #expect(removed.members.isEmpty)
        await #expect(throws: AliasStoreError.memberNotFound) { _ = try await store.removeMember("ada", fromDomain: "bücher.example", by: admin) }
        try await store.deleteDomain(named: "bücher.example", by: admin)
        #expect(try await store.domain(named: "bücher.example") == nil)
    }

    // MARK: Alias validation

    @Test("Local parts follow RFC 5321/5322 dot-atoms", arguments: StoreFactory.all)
    func localParts(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        let longest = String(repeating: "a", count: 64)
        let created = try await store.add(longest, to: ["x@elsewhere.example"])
        #expect(created.name == longest)
        let symbols = try await store.add("o'brien!#$%&*/=?^_`{|}~-", to: ["x@elsewhere.example"])
        #expect(symbols.kind == .exact)
        let mixed = try await store.add("Mixed.Case", to: ["x@elsewhere.example"])
        #expect(mixed.name == "mixed.case")
        for bad in [longest + "a", ".lead", "trail.", "two..dots", "sp ace", "quote\"d", "comma,", "ümlaut", "a@b", "tag+ged", ""] {
            await #expect(throws: AliasStoreError.invalidLocalPart, "\(bad)") { try await store.add(bad, to: ["x@elsewhere.example"]) }
        }
        await #expect(throws: AliasStoreError.duplicateAlias) { try await store.add("MIXED.case", to: ["y@elsewhere.example"]) }
        await #expect(throws: AliasStoreError.domainNotFound) { try await store.add("x", "missing.test", to: ["y@elsewhere.example"]) }
        await #expect(throws: AliasStoreError.userNotFound) { try await store.add("x", owner: "nobody", to: ["y@elsewhere.example"]) }
    }

    @Test("A domain may have at most the policy's number of pattern aliases", arguments: StoreFactory.all)
    func patternLimit(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.maxPatternsPerDomain = 3
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        for index in 0..<3 { try await store.add("/^p\(index)-.*$/", to: ["x@elsewhere.example"]) }
        await #expect(throws: AliasStoreError.patternLimitReached) { try await store.add("/^p9-.*$/", to: ["x@elsewhere.example"]) }
        // Exact aliases and other domains are not counted.
        try await store.add("plain", to: ["x@elsewhere.example"])
        try await store.add("/^p9-.*$/", "ubuntu.test", to: ["x@elsewhere.example"])
        #expect(try await store.aliases(domain: "example.org").filter { $0.kind == .pattern }.count == 3)
    }

    @Test("Recipients must be valid, within the limit, and not the alias itself", arguments: StoreFactory.all)
    func recipients(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.maxRecipientsPerAlias = 3
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        let alias = try await store.add("team", to: ["One@Bücher.Example", "two@elsewhere.example", "one@xn--bcher-kva.example"])
        #expect(alias.recipients == ["One@xn--bcher-kva.example", "two@elsewhere.example", "one@xn--bcher-kva.example"])
        await #expect(throws: AliasStoreError.tooManyRecipients) { try await store.add("many", to: ["a@x.example", "b@x.example", "c@x.example", "d@x.example"]) }
        await #expect(throws: AliasStoreError.tooManyRecipients) { try await store.add("none", to: []) }
        for bad in ["no-at-sign", "@x.example", "a@", "a@localhost", "a b@x.example", "a@x_y.example", String(repeating: "a", count: 65) + "@x.example"] {
            await #expect(throws: AliasStoreError.invalidRecipient, "\(bad)") { try await store.add("bad", to: [bad]) }
        }
        await #expect(throws: AliasStoreError.selfForwarding) { try await store.add("loop", to: ["x@elsewhere.example", "LOOP@example.org"]) }
        await #expect(throws: AliasStoreError.selfForwarding) { try await store.add("loop", to: ["loop+again@example.org"]) }
        await #expect(throws: AliasStoreError.selfForwarding) { try await store.add("/^list-.*$/", to: ["list-x@example.org"]) }
        // The same name on another of our domains is a chain, not a self-reference.
        try await store.add("loop", to: ["loop@ubuntu.test"])
        // A disabled alias may list itself (it never forwards), but cannot then be enabled.
        let parked = try await store.add("parked", to: ["parked@example.org"], enabled: false)
        #expect(await store.resolve("parked@example.org").rejection?.reason == .aliasDisabled)
        await #expect(throws: AliasStoreError.selfForwarding) { try await store.setAliasEnabled(id: parked.id, true, by: admin) }
    }

    @Test("Reserved names, catch-alls and patterns need a domain admin", arguments: StoreFactory.all)
    func reservedNames(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.additionalReservedNames = ["Security"]
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        for name in ["postmaster", "abuse", "hostmaster", "webmaster", "root", "admin", "security", "PostMaster"] {
            await #expect(throws: AliasStoreError.reservedName, "\(name) by sync") { try await store.add(name, to: ["x@elsewhere.example"], by: sync) }
            await #expect(throws: AliasStoreError.reservedName, "\(name) by a user") { try await store.add(name, to: ["x@elsewhere.example"], by: .person("bob")) }
        }
        await #expect(throws: AliasStoreError.reservedName) { try await store.add("root", to: ["x@elsewhere.example"], by: .person("carol")) }
        let postmaster = try await store.add("postmaster", owner: "ada", to: ["ada@home.example"], by: admin)
        #expect(postmaster.provisionedBy == admin)
        await #expect(throws: AliasStoreError.notPermitted) { try await store.add("*", to: ["x@elsewhere.example"], by: sync) }
        await #expect(throws: AliasStoreError.notPermitted) { try await store.add("/^x/", to: ["x@elsewhere.example"], by: .person("bob")) }
        let catchAll = try await store.add("*", to: ["x@elsewhere.example"], by: admin)
        // Changing them later needs an admin as well.
        var redirected = postmaster
        redirected.recipients = ["attacker@elsewhere.example"]
        await #expect(throws: AliasStoreError.reservedName) { _ = try await store.updateAlias(redirected, by: sync) }
        await #expect(throws: AliasStoreError.notPermitted) { _ = try await store.setAliasEnabled(id: catchAll.id, false, by: .person("bob")) }
        #expect(try await store.updateAlias(redirected, by: admin).recipients == ["attacker@elsewhere.example"])
        let ordinary = try await store.add("bob", to: ["bob@home.example"], by: sync)
        #expect(ordinary.provisionedBy == sync)
    }

    @Test("Each user may own at most the policy's number of aliases", arguments: StoreFactory.all)
    func aliasLimit(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.maxAliasesPerUser = 3
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        for index in 0..<3 { try await store.add("b\(index)", index == 0 ? "ubuntu.test" : "example.org", to: ["bob@home.example"]) }
        await #expect(throws: AliasStoreError.aliasLimitReached) { try await store.add("b3", to: ["bob@home.example"]) }
        let carols = try await store.add("c0", owner: "carol", to: ["carol@home.example"])
        var moved = carols
        moved.owner = "bob"
        await #expect(throws: AliasStoreError.aliasLimitReached) { _ = try await store.updateAlias(moved, by: admin) }
        try await store.deleteAlias(id: try #require(try await store.alias(named: "b1", domain: "example.org")).id, by: admin)
        try await store.add("b3", to: ["bob@home.example"])
        #expect(try await store.aliases(owner: "bob").map(\.name) == ["b0", "b2", "b3"])
    }

    @Test("Patterns are checked for size and syntax", arguments: StoreFactory.all)
    func patternValidation(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.maxPatternLength = 16
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        await #expect(throws: AliasStoreError.patternTooLong) { try await store.add("/" + String(repeating: "a", count: 17) + "/", to: ["x@elsewhere.example"]) }
        for bad in ["/(a/", "/a)/", "/*a/", "/a{2,1}/", "/[z-a]/", "/a{65}/", "/\\1/", "/(?=a)/"] {
            await #expect(throws: AliasStoreError.invalidPattern, "\(bad)") { try await store.add(bad, to: ["x@elsewhere.example"]) }
        }
        let pattern = try await store.add("/^dev-[a-z]+$/", to: ["x@elsewhere.example"])
        #expect(pattern.kind == .pattern)
    }

    // MARK: Resolution

    @Test("Resolution: exact, case-insensitive, +tag, patterns, catch-all, in that order", arguments: StoreFactory.all)
    func resolutionOrder(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        try await store.add("alice", to: ["Alice@Home.Example"])
        try await store.add("/^dev-[a-z]+$/", to: ["devs@elsewhere.example"])
        try await store.add("/^dev-core$/", to: ["never@elsewhere.example"])
        try await store.add("dev-special", to: ["special@elsewhere.example"])
        try await store.add("/(^|\\.)ops$/", to: ["ops@elsewhere.example"])
        try await store.add("*", to: ["catchall@elsewhere.example"])
        #expect(await store.resolve("alice@example.org") == .recipients(["Alice@home.example"]))
        #expect(await store.resolve("ALICE@Example.ORG") == .recipients(["Alice@home.example"]))
        #expect(await store.resolve("alice+lists@example.org") == .recipients(["Alice@home.example"]))
        #expect(await store.resolve("Alice+Lists+More@EXAMPLE.org") == .recipients(["Alice@home.example"]))
        #expect(await store.resolve("dev-special@example.org") == .recipients(["special@elsewhere.example"]))
        // Patterns run in name order: "/^dev-[" sorts before "/^dev-c".
        #expect(await store.resolve("Dev-Core@example.org") == .recipients(["devs@elsewhere.example"]))
        #expect(await store.resolve("web.ops@example.org") == .recipients(["ops@elsewhere.example"]))
        #expect(await store.resolve("dev-42@example.org") == .recipients(["catchall@elsewhere.example"]))
        #expect(await store.resolve("+tag@example.org") == .recipients(["catchall@elsewhere.example"]))
        #expect(await store.resolve("nobody@example.org") == .recipients(["catchall@elsewhere.example"]))
        #expect(await store.resolve("nobody@ubuntu.test").rejection?.reply.description == "550 5.1.1 No such user here")
        #expect(await store.resolve("alice@not-ours.example") == .unknown)
        #expect(await store.resolve("not an address").rejection?.reason == .invalidAddress)
        #expect(await store.resolve("alice@exa mple.org").rejection?.reply.code == 501)
    }

    @Test("Resolution: disabled aliases, banned owners and unverified domains reject", arguments: StoreFactory.all)
    func resolutionRejections(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        let alias = try await store.add("alice", to: ["alice@home.example"])
        try await store.add("*", to: ["catchall@elsewhere.example"])
        try await store.add("pending", "pending.test", to: ["p@home.example"])
        try await store.add("carol", owner: "carol", to: ["carol@home.example"])
        try await store.setAliasEnabled(id: alias.id, false, by: .person("bob"))
        let disabled = await store.resolve("alice+x@example.org")
        #expect(disabled.rejection?.reason == .aliasDisabled)
        #expect(disabled.rejection?.reply.description == "550 5.2.1 Mailbox disabled, not accepting messages")
        let pending = await store.resolve("pending@pending.test")
        #expect(pending.rejection?.reason == .domainUnverified)
        #expect(pending.rejection?.reply.code == 550 && pending.rejection?.reply.enhancedStatusCode == "5.7.1")
        _ = try await store.saveUser(User(id: "carol", email: "carol@home.example", banned: true), by: admin)
        #expect(await store.resolve("carol@example.org").rejection?.reason == .ownerBanned)
        _ = try await store.recordVerification(domain: "pending.test", verified: true, by: sync)
        #expect(await store.resolve("pending@pending.test") == .recipients(["p@home.example"]))
        _ = try await store.recordVerification(domain: "example.org", verified: false, by: sync)
        #expect(await store.resolve("anyone@example.org").rejection?.reason == .domainUnverified)
    }

    @Test("Resolution: chains through our own aliases, with loop detection and a depth limit", arguments: StoreFactory.all)
    func chains(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.maxChainDepth = 3
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        try await store.add("team", to: ["alice@example.org", "bob@ubuntu.test", "ext@elsewhere.example"])
        try await store.add("alice", to: ["alice@home.example", "ext@elsewhere.example"])
        try await store.add("bob", "ubuntu.test", to: ["bob+work@example.org"])
        try await store.add("bob", to: ["bob@home.example"])
        #expect(await store.resolve("team@example.org") == .recipients(["alice@home.example", "ext@elsewhere.example", "bob@home.example"]))
        // A loop: ping -> pong -> ping.
        try await store.add("ping", to: ["pong@ubuntu.test"])
        try await store.add("pong", "ubuntu.test", to: ["ping+back@example.org"])
        let loop = await store.resolve("ping@example.org")
        #expect(loop.rejection?.reason == .forwardingLoop)
        #expect(loop.rejection?.reply.enhancedStatusCode == "5.4.6")
        // Depth: d0 -> d1 -> d2 -> d3 -> d4 is four hops; the limit is three.
        func domain(_ index: Int) -> String { index % 2 == 0 ? "example.org" : "ubuntu.test" }
        for index in 0..<4 { try await store.add("d\(index)", domain(index), to: ["d\(index + 1)@\(domain(index + 1))"]) }
        try await store.add("d4", domain(4), to: ["end@elsewhere.example"])
        #expect(await store.resolve("d1@ubuntu.test") == .recipients(["end@elsewhere.example"]))
        #expect(await store.resolve("d0@example.org").rejection?.reason == .chainTooDeep)
        // A chain into something that rejects rejects the whole address.
        try await store.add("via-pending", to: ["x@pending.test"])
        #expect(await store.resolve("via-pending@example.org").rejection?.reason == .domainUnverified)
        try await store.add("via-missing", to: ["missing@ubuntu.test"])
        #expect(await store.resolve("via-missing@example.org").rejection?.reason == .noSuchAlias)
    }

    @Test("Resolution: a pattern that runs out of steps defers instead of hanging", arguments: StoreFactory.all)
    func patternBudget(factory: StoreFactory) async throws {
        var policy = AliasPolicy()
        policy.patternStepBudget = 5_000
        let store = try factory(policy: policy).store
        try await store.seedStandard()
        try await store.add("/^(a|aa)+$/", to: ["as@elsewhere.example"])
        try await store.add("*", to: ["catchall@elsewhere.example"])
        #expect(await store.resolve("aaaa@example.org") == .recipients(["as@elsewhere.example"]))
        let heavy = await store.resolve(String(repeating: "a", count: 60) + "b@example.org")
        #expect(heavy.rejection?.reason == .patternBudgetExceeded)
        #expect(heavy.rejection?.reply.isTransientFailure == true)
        #expect(heavy.rejection?.reply.description == "451 4.3.0 Temporary lookup failure")
    }

    /// The fewest steps `pattern` needs to decide on `input` (the per-pattern budget at
    /// which it stops reporting `budgetExceeded`), found with the public matcher.
    static func stepsNeeded(_ pattern: AliasPattern, _ input: String) -> Int {
        var low = 1, high = 1
        while pattern.evaluate(input, stepBudget: high) == .budgetExceeded { high *= 2 }
        while low < high {
            let middle = (low + high) / 2
            if pattern.evaluate(input, stepBudget: middle) == .budgetExceeded { low = middle + 1 } else { high = middle }
        }
        return high
    }

    @Test("Resolution: all the patterns along a chain share one step budget", arguments: StoreFactory.all)
    func resolutionBudget(factory: StoreFactory) async throws {
        // A backtracking pattern and a local part that costs it between a fiftieth of the
        // resolution's budget and its own budget: each pattern alone is fine, fifty are not.
        let policy = AliasPolicy()
        let sample = try AliasPattern("^(a|aa)+x0$")
        var length = 1
        var local = ""
        var cost = 0
        repeat {
            length += 1
            local = String(repeating: "a", count: length) + "b"
            cost = Self.stepsNeeded(sample, local)
        } while cost * 50 <= policy.patternStepsPerResolution
        #expect(cost < policy.patternStepBudget)

        let store = try factory(policy: policy).store
        try await store.seedStandard()
        for index in 0..<50 {
            try await store.add("/^(a|aa)+x\(index)$/", owner: index.isMultiple(of: 2) ? "bob" : "ada", to: ["p\(index)@elsewhere.example"])
        }
        let heavy = await store.resolve("\(local)@example.org")
        #expect(heavy.rejection?.reason == .resolutionBudgetExceeded)
        #expect(heavy.rejection?.reply.isTransientFailure == true)
        #expect(heavy.rejection?.reply.description == "451 4.3.0 Temporary lookup failure")
        // A local part the patterns decide quickly still resolves past all fifty.
        try await store.add("*", to: ["catchall@elsewhere.example"])
        #expect(await store.resolve("b@example.org") == .recipients(["catchall@elsewhere.example"]))
        #expect(await store.resolve("aax7@example.org") == .recipients(["p7@elsewhere.example"]))

        // The budget is what stopped it: with room for all fifty, the same address falls to
        // the catch-all.
        var roomy = policy
        roomy.patternStepsPerResolution = cost * 50 + 50
        let wide = try factory(policy: roomy).store
        try await wide.seedStandard()
        for index in 0..<50 { try await wide.add("/^(a|aa)+x\(index)$/", to: ["p\(index)@elsewhere.example"]) }
        try await wide.add("*", to: ["catchall@elsewhere.example"])
        #expect(await wide.resolve("\(local)@example.org") == .recipients(["catchall@elsewhere.example"]))

        // Along a chain: three patterns on each of two domains fit one look-up's share of a
        // budget of four, not the chain's six.
        var tight = policy
        tight.patternStepsPerResolution = cost * 4
        let chained = try factory(policy: tight).store
        try await chained.seedStandard()
        for index in 0..<3 {
            try await chained.add("/^(a|aa)+x\(index)$/", to: ["p\(index)@elsewhere.example"])
            try await chained.add("/^(a|aa)+y\(index)$/", "ubuntu.test", to: ["q\(index)@elsewhere.example"])
        }
        try await chained.add("*", "ubuntu.test", to: ["end@elsewhere.example"])
        try await chained.add("*", to: ["\(local)@ubuntu.test"])
        #expect(await chained.resolve("\(local)@ubuntu.test") == .recipients(["end@elsewhere.example"]))
        #expect(await chained.resolve("\(local)@example.org").rejection?.reason == .resolutionBudgetExceeded)
    }

    @Test("Resolution: internationalised domains resolve in Unicode and A-label form", arguments: StoreFactory.all)
    func internationalDomains(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        _ = try await store.createDomain("пример.испытание", plan: .team, verificationToken: nil, by: sync)
        _ = try await store.recordVerification(domain: "пример.испытание", verified: true, by: sync)
        try await store.add("info", "ПРИМЕР.испытание", to: ["info@home.example"])
        #expect(await store.resolve("info@пример.испытание") == .recipients(["info@home.example"]))
        #expect(await store.resolve("INFO@xn--e1afmkfd.xn--80akhbyknj4f") == .recipients(["info@home.example"]))
        #expect(try await store.alias(named: "info", domain: "xn--e1afmkfd.xn--80akhbyknj4f")?.domain == "xn--e1afmkfd.xn--80akhbyknj4f")
    }

    // MARK: Updates

    @Test("Refusals describe the problem without the mail addresses involved", arguments: StoreFactory.all)
    func refusalsNameNoAddress(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        let alice = try await store.add("alice", to: ["secret.person@home.example"])
        var renamed = alice
        renamed.name = "alicia"
        var stale = alice
        stale.revision = 7
        let (staleUpdate, renaming) = (stale, renamed)
        // Snapshots whose alias has no owner, or an unnormalised recipient.
        let emptyStore = try factory().store
        var orphaned = try await store.snapshot()
        orphaned.users.removeAll { $0.id == "bob" }
        orphaned.domains = orphaned.domains.map { domain in
            var domain = domain
            domain.members.removeAll { $0.userID == "bob" }
            return domain
        }
        var unnormalised = try await store.snapshot()
        unnormalised.aliases[0].recipients = ["Secret.Person@HOME.example"]
        let (orphanedSnapshot, unnormalisedSnapshot) = (orphaned, unnormalised)
        let refusals: [(AliasStoreError, @Sendable () async throws -> Void)] = [
            (.conflict, { _ = try await store.updateAlias(staleUpdate, by: admin) }),
            (.immutableField, { _ = try await store.updateAlias(renaming, by: admin) }),
            (.reservedName, { try await store.add("postmaster", to: ["secret.person@home.example"], by: sync) }),
            (.invalidRecipient, { try await store.add("bad", to: ["secret.person@home.example", "secret person@home.example"]) }),
            (.selfForwarding, { try await store.add("loop", to: ["secret.person@home.example", "Loop@example.org"]) }),
            (.invalidSnapshot, { try await emptyStore.restore(orphanedSnapshot) }),
            (.invalidSnapshot, { try await emptyStore.restore(unnormalisedSnapshot) }),
        ]
        for (expected, refusal) in refusals {
            do {
                try await refusal()
                Issue.record("\(expected) was not thrown")
            } catch let error as AliasStoreError {
                #expect(error == expected)
                for address in ["alice@example.org", "postmaster@example.org", "loop@example.org", "secret.person", "secret person"] {
                    #expect(!String(describing: error).lowercased().contains(address), "\(error)")
                }
            }
        }
    }

    @Test("Updates need the current revision and cannot rename", arguments: StoreFactory.all)
    func updates(factory: StoreFactory) async throws {
        let test = try factory()
        let store = test.store
        try await store.seedStandard()
        let original = try await store.add("alice", to: ["alice@home.example"])
        var edited = original
        edited.recipients = ["alice@new.example", "alice@new.example"]
        edited.description = "Alice's address"
        edited.labels = ["staff", "ubuntu"]
        test.clock.advance(by: 5)
        let updated = try await store.updateAlias(edited, by: .person("bob"))
        #expect(updated.revision == 2 && updated.recipients == ["alice@new.example"] && updated.updatedAt > original.updatedAt)
        #expect(try await store.alias(id: original.id) == updated)
        await #expect(throws: AliasStoreError.conflict) { _ = try await store.updateAlias(edited, by: admin) }
        var renamed = updated
        renamed.name = "alicia"
        await #expect(throws: AliasStoreError.immutableField) { _ = try await store.updateAlias(renamed, by: admin) }
        var recased = updated
        recased.name = "ALICE"
        #expect(try await store.updateAlias(recased, by: admin).name == "alice")
        let pattern = try await store.add("/^x-.*$/", owner: "ada", to: ["x@elsewhere.example"])
        var repatterned = pattern
        repatterned.name = "/^X-.*$/"
        await #expect(throws: AliasStoreError.immutableField) { _ = try await store.updateAlias(repatterned, by: admin) }
        var movedDomain = pattern
        movedDomain.domain = "ubuntu.test"
        await #expect(throws: AliasStoreError.immutableField) { _ = try await store.updateAlias(movedDomain, by: admin) }
        var badLabel = try #require(try await store.alias(id: original.id))
        badLabel.labels = ["line\nbreak"]
        await #expect(throws: AliasStoreError.invalidField) { _ = try await store.updateAlias(badLabel, by: admin) }
        var missing = updated
        missing.id = 999
        await #expect(throws: AliasStoreError.aliasNotFound) { _ = try await store.updateAlias(missing, by: admin) }
        await #expect(throws: AliasStoreError.domainInUse) { try await store.deleteDomain(named: "example.org", by: admin) }
        #expect(try await store.aliases(domain: "EXAMPLE.org").map(\.id) == [pattern.id, original.id])
    }

    // MARK: Change log

    @Test("Every change is logged with actor and time, readable from a cursor", arguments: StoreFactory.all)
    func changeLog(factory: StoreFactory) async throws {
        let test = try factory()
        let store = test.store
        try await store.seedStandard()
        let seeded = try await store.changes(after: 0, limit: 1_000)
        // 3 users, 3 domains, 6 memberships, 2 verifications.
        #expect(seeded.count == 14)
        #expect(seeded.map(\.sequence) == Array(1...14))
        test.clock.advance(by: 30)
        let alias = try await store.add("alice", to: ["alice@home.example"], by: .person("bob"))
        try await store.setAliasEnabled(id: alias.id, false, by: admin)
        try await store.deleteAlias(id: alias.id, by: sync)
        let recent = try await store.changes(after: 14, limit: 10)
        #expect(recent.map(\.action) == [.create, .update, .delete])
        #expect(recent.map(\.entity) == [.alias, .alias, .alias])
        #expect(recent.map(\.key) == ["alice@example.org", "alice@example.org", "alice@example.org"])
        #expect(recent.map(\.actor) == [.person("bob"), admin, sync])
        #expect(recent.allSatisfy { $0.at == test.clock.now() })
        #expect(try await store.changes(after: 15, limit: 1).map(\.sequence) == [16])
        #expect(try await store.changes(after: 17, limit: 10).isEmpty)
        #expect(seeded.first?.detail.contains(try #require(try await store.domain(named: "example.org")).verificationToken) == false)
    }

    // MARK: Snapshots and exports

    @Test("JSON export and import are lossless, across implementations", arguments: StoreFactory.all, StoreFactory.all)
    func jsonRoundTrip(from source: StoreFactory, to target: StoreFactory) async throws {
        let original = try source().store
        try await original.seedStandard()
        try await original.add("alice", to: ["alice@home.example"])
        let gone = try await original.add("gone", owner: "carol", to: ["carol@home.example"], by: sync)
        try await original.add("/^dev-.*$/", "ubuntu.test", owner: "ada", to: ["devs@elsewhere.example"])
        try await original.add("*", "ubuntu.test", owner: "ada", to: ["ada@home.example"])
        _ = try await original.createAlias(
            NewAlias(name: "described", domain: "example.org", owner: "bob", recipients: ["b@x.example"], enabled: false,
                     description: "Ünïcödé and \"quotes\"", labels: ["a", "b c"]), by: .person("bob"))
        try await original.deleteAlias(id: gone.id, by: admin)
        let snapshot = try await original.snapshot()
        let json = try snapshot.jsonData()
        let decoded = try AliasStoreSnapshot(jsonData: json)
        #expect(decoded == snapshot)
        let copy = try target().store
        try await copy.restore(decoded)
        #expect(try await copy.snapshot() == snapshot)
        #expect(try await copy.snapshot().jsonData() == json)
        #expect(await copy.resolve("dev-x@ubuntu.test") == .recipients(["devs@elsewhere.example"]))
        // Ids of deleted aliases stay retired after a restore.
        let next = try await copy.add("new", to: ["n@x.example"])
        #expect(next.id == snapshot.lastAliasID + 1)
        await #expect(throws: AliasStoreError.storeNotEmpty) { try await copy.restore(decoded) }
        #expect(throws: AliasStoreError.invalidSnapshot) { _ = try AliasStoreSnapshot(jsonData: Data("{\"users\": 3}".utf8)) }
        for breakage in [{ (s: inout AliasStoreSnapshot) in s.aliases[0].owner = "nobody" },
                         { $0.aliases[0].name = "Alice" }, { $0.aliases[0].recipients = [] },
                         { $0.aliases[0].recipients = ["not an address"] }, { $0.aliases[1].id = $0.aliases[0].id },
                         { $0.domains[0].name = "Example.ORG" }, { $0.changes.swapAt(0, 1) }] {
            var broken = snapshot
            breakage(&broken)
            let empty = try target().store
            await #expect(throws: AliasStoreError.invalidSnapshot) { try await empty.restore(broken) }
            #expect(try await empty.snapshot().users.isEmpty)
        }
    }

    @Test("The Postfix export lists verified domains and what a virtual table can express", arguments: StoreFactory.all)
    func postfixExport(factory: StoreFactory) async throws {
        let store = try factory().store
        try await store.seedStandard()
        try await store.add("alice", to: ["alice@home.example"])
        try await store.add("team", to: ["alice@example.org", "x@elsewhere.example"])
        try await store.add("off", to: ["off@home.example"], enabled: false)
        try await store.add("/^dev-/", "ubuntu.test", owner: "ada", to: ["devs@elsewhere.example"])
        try await store.add("*", "ubuntu.test", owner: "ada", to: ["ada@home.example"])
        try await store.add("p", "pending.test", to: ["p@home.example"])
        let export = try await store.postfixExport()
        #expect(export.virtualAliasDomains == "example.org\nubuntu.test\n")
        let entries = export.virtualAliasMaps.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(entries == ["alice@example.org\talice@home.example", "team@example.org\talice@home.example, x@elsewhere.example", "@ubuntu.test\tada@home.example"])
        #expect(export.omitted.map(\.address) == ["off@example.org", "/^dev-/@ubuntu.test"])
        #expect(export.omitted[1].reason.contains("@ubuntu.test"))
    }
}

@Suite("The fake answers like SQLite")
struct ParityTests {
    @Test("The same data gives the same resolutions, snapshots and exports on both stores")
    func parity() async throws {
        let sqlite = try StoreFactory.sqlite().store
        let memory = try StoreFactory.memory().store
        var randomA = SplitMix64(seed: 42)
        var randomB = SplitMix64(seed: 42)
        let fixture = try await Fixture.build(sqlite, random: &randomA)
        _ = try await Fixture.build(memory, random: &randomB)
        var random = SplitMix64(seed: 7)
        var addresses = (0..<1_500).map { _ in fixture.sample(&random) }
        addresses += ["dev-x@patterns.example", "DEV-@patterns.example", "dev@patterns.example", "a@unknown.example", "bad address"]
        for address in addresses {
            let expected = await sqlite.resolve(address)
            #expect(await memory.resolve(address) == expected, "\(address)")
        }
        var sqliteSnapshot = try await sqlite.snapshot()
        var memorySnapshot = try await memory.snapshot()
        // Generated verification tokens are random; everything else must match.
        for index in sqliteSnapshot.domains.indices {
            sqliteSnapshot.domains[index].verificationToken = ""
            memorySnapshot.domains[index].verificationToken = ""
        }
        #expect(sqliteSnapshot == memorySnapshot)
        #expect(try await sqlite.postfixExport() == (try await memory.postfixExport()))
    }
}
