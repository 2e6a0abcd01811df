import CommunityMailTestSupport
import CommunityMailSystem
import Foundation
import OpenIDAuth
import Testing

/// One suite over the in-memory and SQLite implementations of the three store seams.
@Suite struct OpenIDStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreKind.allCases)
    func nonceIsAcceptedOncePerEndpoint(kind: StoreKind) async throws {
        let stores = try kind.make()
        let expiry = now.addingTimeInterval(300)
        #expect(try await stores.nonces.consume(nonce: "n1", endpoint: "https://a/", expiresAt: expiry))
        #expect(try await stores.nonces.consume(nonce: "n1", endpoint: "https://a/", expiresAt: expiry) == false)
        #expect(try await stores.nonces.consume(nonce: "n1", endpoint: "https://b/", expiresAt: expiry))
        #expect(try await stores.nonces.consume(nonce: "n2", endpoint: "https://a/", expiresAt: expiry))
    }

    @Test(arguments: StoreKind.allCases)
    func expiredNoncesAreForgotten(kind: StoreKind) async throws {
        let stores = try kind.make()
        #expect(try await stores.nonces.consume(nonce: "old", endpoint: "e", expiresAt: now))
        #expect(try await stores.nonces.consume(nonce: "new", endpoint: "e", expiresAt: now.addingTimeInterval(600)))
        try await stores.nonces.removeExpiredNonces(before: now.addingTimeInterval(1))
        #expect(try await stores.nonces.consume(nonce: "old", endpoint: "e", expiresAt: now))
        #expect(try await stores.nonces.consume(nonce: "new", endpoint: "e", expiresAt: now) == false)
    }

    @Test(arguments: StoreKind.allCases)
    func associationsRoundTripAndExpire(kind: StoreKind) async throws {
        let stores = try kind.make()
        let short = OpenIDAssociation(endpoint: "https://op/", handle: "h1", secret: Array(repeating: 1, count: 32),
                                      type: .hmacSHA256, issuedAt: now, expiresAt: now.addingTimeInterval(60))
        let long = OpenIDAssociation(endpoint: "https://op/", handle: "h2", secret: Array(repeating: 2, count: 20),
                                     type: .hmacSHA1, issuedAt: now, expiresAt: now.addingTimeInterval(3600))
        try await stores.associations.store(short)
        try await stores.associations.store(long)
        #expect(try await stores.associations.association(endpoint: "https://op/", handle: "h1", at: now) == short)
        #expect(try await stores.associations.association(endpoint: "https://other/", handle: "h1", at: now) == nil)
        #expect(try await stores.associations.newestAssociation(endpoint: "https://op/", at: now) == long)
        #expect(try await stores.associations.association(endpoint: "https://op/", handle: "h1", at: now.addingTimeInterval(60)) == nil)
        #expect(try await stores.associations.removeAssociation(endpoint: "https://op/", handle: "h2"))
        #expect(try await stores.associations.removeAssociation(endpoint: "https://op/", handle: "h2") == false)
        #expect(try await stores.associations.newestAssociation(endpoint: "https://op/", at: now.addingTimeInterval(61)) == nil)
        try await stores.associations.removeExpiredAssociations(at: now.addingTimeInterval(61))
        #expect(try await stores.associations.association(endpoint: "https://op/", handle: "h1", at: now) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func associationReplacesSameHandle(kind: StoreKind) async throws {
        let stores = try kind.make()
        var association = OpenIDAssociation(endpoint: "e", handle: "h", secret: [1], type: .hmacSHA1, issuedAt: now,
                                            expiresAt: now.addingTimeInterval(10))
        try await stores.associations.store(association)
        association.secret = [2]
        try await stores.associations.store(association)
        #expect(try await stores.associations.association(endpoint: "e", handle: "h", at: now)?.secret == [2])
    }

    @Test(arguments: StoreKind.allCases)
    func discoveryCacheHonoursExpiry(kind: StoreKind) async throws {
        let stores = try kind.make()
        let result = DiscoveredIdentifier(identifier: "https://id/", services: [
            OpenIDService(endpoint: "https://op/", isOPIdentifier: false, claimedIdentifier: "https://id/", localIdentifier: "https://local/")
        ])
        try await stores.cache.store(result, for: "https://id/", expiresAt: now.addingTimeInterval(10))
        #expect(try await stores.cache.services(for: "https://id/", at: now) == result)
        #expect(try await stores.cache.services(for: "https://other/", at: now) == nil)
        #expect(try await stores.cache.services(for: "https://id/", at: now.addingTimeInterval(10)) == nil)
    }

    @Test func sqliteStateOutlivesTheConnection() async throws {
        let stores = try StoreKind.sqlite.make()
        let path = try #require(stores.directory).path("state.sqlite")
        #expect(try await stores.nonces.consume(nonce: "n", endpoint: "e", expiresAt: now.addingTimeInterval(100)))
        let reopened = try SQLiteOpenIDStore(path: path)
        #expect(try await reopened.consume(nonce: "n", endpoint: "e", expiresAt: now.addingTimeInterval(100)) == false)
    }

    @Test func unopenableSQLiteFileIsATypedError() throws {
        #expect(throws: OpenIDError.store) { try SQLiteOpenIDStore(path: "/nonexistent-dir/x/state.sqlite") }
        do {
            _ = try SQLiteOpenIDStore(path: "/nonexistent-dir/x/state.sqlite")
        } catch {
            // The database's own error is kept as the cause, and it will not go away by itself.
            let cause = try #require(error.cause)
            #expect(!cause.isTransientFailure)
        }
    }
}
