import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

@Suite("Paging against a Launchpad-shaped loopback server")
struct LaunchpadPagingTests {
    static let teamSize = 2000

    static func bigTeamServer() throws -> LaunchpadShapedServer {
        try LaunchpadShapedServer(directory: LaunchpadDatasets.largeTeam(named: "big-team", memberCount: teamSize))
    }

    @Test("A 2,000-member team lists completely and in order", arguments: [75, 300], [1, 4])
    func largeTeam(pageSize: Int, concurrency: Int) async throws {
        let server = try Self.bigTeamServer()
        let client = try makeClient(server, pageSize: pageSize, concurrency: concurrency)
        let members = try await client.members(of: "big-team").collect()
        #expect(members.count == Self.teamSize)
        #expect(members.map(\.name) == (0..<Self.teamSize).map(LaunchpadDatasets.memberName))
        #expect(members.allSatisfy { $0.isValidUbuntuCoCSigner })
        let pages = (Self.teamSize + pageSize - 1) / pageSize
        let requests = server.requests
        #expect(requests.count == pages)
        #expect(requests.allSatisfy { queryItems($0.target)["ws.size"] == String(pageSize) })
        let starts = Set(requests.compactMap { queryItems($0.target)["ws.start"].flatMap(Int.init) })
        #expect(starts == Set(stride(from: 0, to: Self.teamSize, by: pageSize)))
    }

    @Test("devel: total_size_link is followed, then pages are fetched concurrently")
    func develTotalSizeLink() async throws {
        let server = try Self.bigTeamServer()
        let client = try makeClient(server, pageSize: 300, version: .devel)
        let members = try await client.members(of: "big-team").collect()
        #expect(members.count == Self.teamSize)
        let targets = server.requests.map(\.target)
        #expect(targets.filter { $0.contains("ws.show=total_size") }.count == 1)
        #expect(targets.count == 7 + 1)
    }

    @Test("Missing or negative total_size: next_collection_link is followed one page at a time")
    func missingTotalSize() async throws {
        for fault in [LaunchpadShapedServer.Fault.dropTotalSize, .negativeTotalSize] {
            let server = try Self.bigTeamServer()
            server.inject(fault, times: nil)
            let client = try makeClient(server, pageSize: 300)
            let members = try await client.members(of: "big-team").collect()
            #expect(members.count == Self.teamSize)
            // Followed links carry the server's opaque memo.
            #expect(server.requests.dropFirst().allSatisfy { $0.target.contains("memo=") })
        }
    }

    @Test("A 503 then success: retried, nothing lost")
    func serviceUnavailableThenSuccess() async throws {
        let server = try Self.bigTeamServer()
        server.inject(.status(503), times: 1, when: .queryContains("ws.start=300"))
        let clock = ManualClock(advancesOnSleep: true)
        let client = try makeClient(server, pageSize: 300, clock: clock)
        let members = try await client.members(of: "big-team").collect()
        #expect(members.count == Self.teamSize)
        #expect(server.requests.filter { $0.status == 503 }.count == 1)
        #expect(clock.sleeps.count == 1)
    }

    @Test("A 429 with Retry-After waits as asked (on a manual clock)")
    func tooManyRequests() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        server.inject(.status(429, headers: [("Retry-After", "7")]), times: 2, when: .pathHasSuffix("/~alice"))
        let clock = ManualClock(advancesOnSleep: true)
        let client = try makeClient(server, clock: clock)
        let alice = try await client.person(named: "alice")
        #expect(alice.name == "alice")
        #expect(clock.sleeps == [.seconds(7), .seconds(7)])
        #expect(server.requests.map(\.status) == [429, 429, 200])
    }

    @Test("Retries run out: the last status becomes a typed error")
    func retriesExhausted() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        server.inject(.status(502), times: nil)
        let client = try makeClient(server)
        let error = await #expect(throws: LaunchpadError.unexpectedStatus) { try await client.person(named: "alice") }
        #expect(error?.status == 502)
        #expect(server.requests.count == RetryPolicy().maximumAttempts)
    }

    @Test("A dropped connection is retried")
    func droppedConnection() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        server.inject(.closeConnection, times: 1)
        let client = try makeClient(server)
        #expect(try await client.person(named: "bob").displayName == .value("Bob Builder"))
    }

    @Test("A slow server times out with a typed transport error")
    func timeout() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community(), latency: .seconds(3))
        let client = try makeClient(server) { configuration in
            configuration.requestTimeout = .milliseconds(200)
            configuration.retryPolicy = .none
        }
        await #expect(throws: LaunchpadError.transport) { try await client.person(named: "alice") }
    }

    @Test("A redacted field is modelled as redacted, never as a string")
    func redactedField() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        let client = try makeClient(server)
        let hidden = try await client.person(named: "hidden")
        #expect(hidden.isUbuntuCoCSigner == .redacted)
        #expect(hidden.karma == .redacted)
        #expect(hidden.isValid == .value(true))
        #expect(!hidden.isValidUbuntuCoCSigner)
    }

    @Test("A malformed entry in a page fails naming the field, or is skipped when allowed")
    func malformedEntry() async throws {
        let server = try Self.bigTeamServer()
        server.inject(.removeField("is_valid", fromEntryNamed: LaunchpadDatasets.memberName(1500)), times: nil)
        let strict = try makeClient(server, pageSize: 300)
        let error = await #expect(throws: LaunchpadError.missingField) { try await strict.members(of: "big-team").collect() }
        #expect(error?.field == "is_valid")
        #expect(error?.message.contains("entry 1500") == true)

        let recorder = EventRecorder()
        let lenient = try makeClient(server, pageSize: 300) { configuration in
            configuration.skipsMalformedEntries = true
            configuration.events = recorder.handler
        }
        let members = try await lenient.members(of: "big-team").collect()
        #expect(members.count == Self.teamSize - 1)
        #expect(recorder.all.contains { if case .skippedEntry = $0 { true } else { false } })
    }

    @Test("A malformed person entry fails naming the missing field")
    func malformedPerson() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        server.inject(.removeField("display_name", fromEntryNamed: "alice"), times: nil)
        let client = try makeClient(server)
        let error = await #expect(throws: LaunchpadError.missingField) { try await client.person(named: "alice") }
        #expect(error?.field == "display_name")
    }

    @Test("A next link to another host is refused", arguments: [1, 4])
    func foreignNextLink(concurrency: Int) async throws {
        let server = try Self.bigTeamServer()
        server.inject(.foreignNextLink(host: "evil.example"), times: nil, when: .queryContains("ws.start=600"))
        let client = try makeClient(server, pageSize: 300, concurrency: concurrency)
        await #expect(throws: LaunchpadError.foreignLink) { try await client.members(of: "big-team").collect() }
        #expect(!server.requests.contains { $0.target.contains("ws.start=900") && concurrency == 1 })
    }

    @Test("A next link that repeats is refused", arguments: [1, 4])
    func repeatingNextLink(concurrency: Int) async throws {
        let server = try Self.bigTeamServer()
        server.inject(.repeatingNextLink, times: nil, when: .queryContains("ws.start=0"))
        let client = try makeClient(server, pageSize: 300, concurrency: concurrency)
        await #expect(throws: LaunchpadError.repeatedLink) { try await client.members(of: "big-team").collect() }
        #expect(server.requests.count <= 1 + concurrency)
    }

    @Test("A repeating link deeper in the collection is refused when following links")
    func repeatingNextLinkLater() async throws {
        let server = try Self.bigTeamServer()
        server.inject(.dropTotalSize, times: nil)
        server.inject(.repeatingNextLink, times: nil, when: .queryContains("ws.start=900"))
        let client = try makeClient(server, pageSize: 300)
        var seen = 0
        await #expect(throws: LaunchpadError.repeatedLink) {
            for try await _ in client.members(of: "big-team") { seen += 1 }
        }
        // The page whose next link repeats is refused as it arrives, before its entries are handed out.
        #expect(seen == 900)
    }

    @Test("The page cap stops a listing that would take too many pages")
    func pageCap() async throws {
        let server = try Self.bigTeamServer()
        let client = try makeClient(server, pageSize: 100) { $0.maximumPages = 5 }
        await #expect(throws: LaunchpadError.pageLimitExceeded) { try await client.members(of: "big-team").collect() }
        #expect(server.requests.count == 1)

        // Without total_size the cap is met while following links.
        server.inject(.dropTotalSize, times: nil)
        var seen = 0
        await #expect(throws: LaunchpadError.pageLimitExceeded) {
            for try await _ in client.members(of: "big-team") { seen += 1 }
        }
        #expect(seen == 500)
        #expect(server.requests.count == 1 + 5)
    }

    @Test("A 404 person and a 404 team are typed not-found errors")
    func notFound() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        let client = try makeClient(server)
        let error = await #expect(throws: LaunchpadError.notFound) { try await client.person(named: "nobody-here") }
        #expect(error?.status == 404)
        await #expect(throws: LaunchpadError.notFound) { try await client.members(of: "no-such-team").collect() }
    }

    @Test("Invalid names are refused before any request")
    func invalidNames() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        let client = try makeClient(server)
        for name in ["", "../etc", "Alice", "a b", "-dash", "x?ws.size=1", String(repeating: "a", count: 65)] {
            await #expect(throws: LaunchpadError.invalidName) { try await client.person(named: name) }
            await #expect(throws: LaunchpadError.invalidName) { try await client.members(of: name).collect() }
        }
        #expect(server.requests.isEmpty)
    }

    @Test("A size change while listing is reported (or fails when configured)")
    func sizeChange() async throws {
        let server = try Self.bigTeamServer()
        let recorder = EventRecorder()
        let client = try makeClient(server, pageSize: 300, concurrency: 1) { $0.events = recorder.handler }
        var count = 0
        for try await _ in client.members(of: "big-team") {
            count += 1
            if count == 1 {
                try server.update { directory in
                    try directory.addPerson("zz-late-joiner", displayName: "Zz Late Joiner")
                    try directory.addMember("zz-late-joiner", to: "big-team")
                }
            }
        }
        #expect(count == Self.teamSize + 1)
        #expect(recorder.all.contains(.sizeChanged(
            collection: server.serviceRoot.url.absoluteString + "1.0/~big-team/members?…", expected: 2000, observed: 2001)))

        let strict = try makeClient(server, pageSize: 300, concurrency: 1) { $0.failsWhenCollectionChanges = true }
        await #expect(throws: LaunchpadError.collectionChanged) {
            var seen = 0
            for try await _ in strict.members(of: "big-team") {
                seen += 1
                if seen == 1 { server.update { $0.removeMember("zz-late-joiner", from: "big-team") } }
            }
        }
    }

    @Test("Growth during a concurrent listing is followed through the last next link")
    func growthDuringConcurrentListing() async throws {
        let server = try Self.bigTeamServer()
        let client = try makeClient(server, pageSize: 300, concurrency: 2)
        var names: [String] = []
        for try await member in client.members(of: "big-team") {
            names.append(member.name)
            if names.count == 1 {
                try server.update { directory in
                    for index in 0..<400 {
                        let name = "zz-new-\(index)"
                        try directory.addPerson(name, displayName: "Zz New \(10_000 + index)")
                        try directory.addMember(name, to: "big-team")
                    }
                }
            }
        }
        #expect(names.count == Self.teamSize + 400)
        #expect(Set(names).count == names.count)
    }

    @Test("Entries are fetched with If-None-Match once cached; 304 serves the cache")
    func conditionalGet() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        let recorder = EventRecorder()
        let client = try makeClient(server) { $0.events = recorder.handler }
        let first = try await client.person(named: "alice")
        let second = try await client.person(named: "alice")
        #expect(first == second)
        let requests = server.requests
        #expect(requests.map(\.status) == [200, 304])
        #expect(requests[0].ifNoneMatch == nil)
        #expect(requests[1].ifNoneMatch == first.httpETag)
        #expect(recorder.all.contains(.notModified(url: server.serviceRoot.url.absoluteString + "1.0/~alice")))

        try server.update { try $0.update("alice") { $0.karma = 99_999 } }
        let third = try await client.person(named: "alice")
        #expect(third.karma == .value(99_999))
        #expect(server.requests.last?.status == 200)
    }

    @Test("OAuth PLAINTEXT: every request is signed; the secret never shows in descriptions")
    func oauthSigning() async throws {
        let server = try LaunchpadShapedServer(directory: LaunchpadDatasets.community())
        server.inject(.status(503), times: 1)
        let token = LaunchpadOAuthToken(consumerKey: "community mail", token: "tok123", tokenSecret: "s3cr&t")
        let client = try makeClient(server, credentials: .oauth(token))
        _ = try await client.person(named: "alice")
        let headers = server.requests.compactMap(\.authorization)
        #expect(headers.count == 2)
        let parsed = try #require(headers.first.map(OAuthHeader.parse))
        #expect(parsed["realm"] == server.serviceRoot.url.absoluteString)
        #expect(parsed["oauth_consumer_key"] == "community mail")
        #expect(parsed["oauth_token"] == "tok123")
        #expect(parsed["oauth_signature_method"] == "PLAINTEXT")
        #expect(parsed["oauth_signature"] == "&s3cr%26t")
        #expect(parsed["oauth_version"] == "1.0")
        #expect(parsed["oauth_timestamp"] == "1800000000")
        // Each attempt is signed afresh.
        #expect(Set(headers.compactMap { OAuthHeader.parse($0)["oauth_nonce"] }).count == 2)
        for text in [String(describing: token), String(reflecting: token), String(describing: LaunchpadCredentials.oauth(token))] {
            #expect(!text.contains("s3cr"))
        }
        var dumped = ""
        dump(token, to: &dumped)
        #expect(!dumped.contains("s3cr"))
    }
}

/// Reads an `Authorization: OAuth ...` header into decoded parameters.
enum OAuthHeader {
    static func parse(_ header: String) -> [String: String] {
        guard header.hasPrefix("OAuth ") else { return [:] }
        var result: [String: String] = [:]
        for part in header.dropFirst(6).components(separatedBy: ", ") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = String(part[..<equals])
            var value = String(part[part.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            result[name] = name == "realm" ? value : (value.removingPercentEncoding ?? value)
        }
        return result
    }
}
