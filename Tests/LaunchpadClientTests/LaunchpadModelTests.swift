import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

@Suite("Decoding Launchpad's JSON shapes")
struct LaunchpadModelTests {
    /// A person entry shaped like one recorded from api.launchpad.net/1.0 (values invented).
    static let recorded = """
        {"self_link": "https://api.launchpad.net/1.0/~jdoe", "web_link": "https://launchpad.net/~jdoe",
         "resource_type_link": "https://api.launchpad.net/1.0/#person",
         "http_etag": "\\"3e0c8d2a5a0fbd0e1d2bd0d0cda7a8b3c2c1b0a9-5f4e3d2c1b0a99887766554433221100ffeeddcc\\"",
         "name": "jdoe", "display_name": "Jane Doe", "is_team": false, "is_valid": true,
         "is_ubuntu_coc_signer": true, "is_probationary": false, "karma": 1234, "visibility": "Public",
         "private": false, "date_created": "2006-02-14T09:21:45.123456+00:00", "time_zone": "Europe/London",
         "hide_email_addresses": true, "preferred_email_address_link": "tag:launchpad.net:2008:redacted",
         "members_collection_link": "https://api.launchpad.net/1.0/~jdoe/members",
         "participants_collection_link": "https://api.launchpad.net/1.0/~jdoe/participants",
         "members_details_collection_link": "https://api.launchpad.net/1.0/~jdoe/members_details",
         "team_owner_link": null, "irc_nicknames_collection_link": "https://api.launchpad.net/1.0/~jdoe/irc_nicknames",
         "some_future_field": {"nested": [1, 2, 3]}}
        """

    @Test("A recorded-shape person entry decodes; unknown fields are ignored")
    func recordedPerson() throws {
        let person = try LaunchpadPerson(jsonData: Data(Self.recorded.utf8))
        #expect(person.name == "jdoe")
        #expect(person.displayName == .value("Jane Doe"))
        #expect(person.isValidUbuntuCoCSigner)
        #expect(person.karma == .value(1234))
        #expect(person.visibility == .value(.public))
        #expect(person.timeZone == .value("Europe/London"))
        #expect(person.links.participants?.absoluteString == "https://api.launchpad.net/1.0/~jdoe/participants")
        #expect(person.links.teamOwner == nil)
        let date = try #require(person.dateCreated?.value)
        #expect(abs(date.timeIntervalSince1970 - 1_139_908_905.123456) < 0.001)
        #expect(person.httpETag?.hasPrefix("\"3e0c") == true)
    }

    static func mutated(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(recorded.utf8)) as? [String: Any])
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("Each required field, when missing, is a typed error naming it",
          arguments: ["self_link", "name", "display_name", "is_team", "is_valid", "is_ubuntu_coc_signer"])
    func missingRequired(field: String) throws {
        let data = try Self.mutated { $0[field] = nil }
        let error = #expect(throws: LaunchpadError.missingField) { try LaunchpadPerson(jsonData: data) }
        #expect(error?.field == field)
        #expect(error?.message.contains(field) == true)
    }

    @Test("Optional fields may be absent")
    func optionalAbsent() throws {
        let data = try Self.mutated { object in
            for field in ["karma", "is_probationary", "visibility", "date_created", "time_zone", "web_link"] { object[field] = nil }
        }
        let person = try LaunchpadPerson(jsonData: data)
        #expect(person.karma == nil && person.isProbationary == nil && person.visibility == nil)
    }

    @Test("Redacted values become .redacted for every redactable field")
    func redacted() throws {
        let data = try Self.mutated { object in
            for field in ["is_valid", "is_ubuntu_coc_signer", "karma", "visibility", "date_created", "time_zone", "is_probationary"] {
                object[field] = "tag:launchpad.net:2008:redacted"
            }
        }
        let person = try LaunchpadPerson(jsonData: data)
        #expect(person.isValid == .redacted)
        #expect(person.isUbuntuCoCSigner == .redacted)
        #expect(person.karma == .redacted)
        #expect(person.visibility == .redacted)
        #expect(person.dateCreated == .redacted)
        #expect(person.timeZone == .redacted)
        #expect(!person.isValidUbuntuCoCSigner)
    }

    @Test("Wrong types are typed errors naming the field")
    func wrongTypes() throws {
        let cases: [(String, Any)] = [("is_valid", 1), ("is_valid", "true"), ("karma", true), ("karma", 1.5),
                                       ("name", 42), ("date_created", "yesterday"), ("self_link", "not a url")]
        for (field, value) in cases {
            let data = try Self.mutated { $0[field] = value }
            let error = #expect(throws: LaunchpadError.malformedField) { try LaunchpadPerson(jsonData: data) }
            #expect(error?.field == field)
        }
        #expect(throws: LaunchpadError.malformedJSON) { try LaunchpadPerson(jsonData: Data("[1, 2]".utf8)) }
        #expect(throws: LaunchpadError.malformedJSON) { try LaunchpadPerson(jsonData: Data("<html>".utf8)) }
    }

    @Test("OAuth PLAINTEXT header: RFC 5849 encoding of every parameter")
    func oauthHeader() {
        let token = LaunchpadOAuthToken(consumerKey: "my app", token: "abc", tokenSecret: "x/y")
        let header = token.authorizationHeader(
            realm: "https://api.launchpad.net/", now: Date(timeIntervalSince1970: 1_700_000_000), nonce: "n1")
        #expect(header == """
            OAuth realm="https://api.launchpad.net/", oauth_consumer_key="my%20app", oauth_token="abc", \
            oauth_signature_method="PLAINTEXT", oauth_signature="%26x%252Fy", oauth_timestamp="1700000000", \
            oauth_nonce="n1", oauth_version="1.0"
            """)
    }

    @Test("Service roots: production, staging, custom; trailing slash added; bad roots refused")
    func serviceRoots() throws {
        #expect(LaunchpadServiceRoot.production.url.absoluteString == "https://api.launchpad.net/")
        #expect(LaunchpadServiceRoot.staging.url.absoluteString == "https://api.staging.launchpad.net/")
        #expect(try LaunchpadServiceRoot(string: "http://127.0.0.1:8080/api").url.absoluteString == "http://127.0.0.1:8080/api/")
        for bad in ["ftp://x/", "/relative", "https://x/?q=1", "https://"] {
            #expect(throws: LaunchpadError.invalidConfiguration) { try LaunchpadServiceRoot(string: bad) }
        }
        #expect(LaunchpadAPIVersion(rawValue: "1.0/../x") == nil)
    }

    @Test("Configuration limits are checked")
    func configurationLimits() {
        for size in [0, 301] {
            var configuration = LaunchpadWebServiceClient.Configuration()
            configuration.pageSize = size
            #expect(throws: LaunchpadError.invalidConfiguration) {
                try LaunchpadWebServiceClient(configuration: configuration, httpClient: ScriptedHTTPClient())
            }
        }
    }

    @Test("The fake refuses what Launchpad refuses")
    func directoryRules() throws {
        var directory = LaunchpadDirectory()
        try directory.addPerson("alice")
        try directory.addTeam("a-team")
        try directory.addTeam("b-team")
        #expect(throws: LaunchpadError.invalidConfiguration) { try directory.addPerson("alice") }
        #expect(throws: LaunchpadError.invalidName) { try directory.addPerson("Bad Name") }
        #expect(throws: LaunchpadError.invalidConfiguration) { try directory.addMember("a-team", to: "alice") }
        #expect(throws: LaunchpadError.notFound) { try directory.addMember("ghost", to: "a-team") }
        try directory.addMember("b-team", to: "a-team")
        #expect(throws: LaunchpadError.invalidConfiguration) { try directory.addMember("a-team", to: "b-team") }
        #expect(throws: LaunchpadError.invalidConfiguration) { try directory.addMember("a-team", to: "a-team") }
        // An inactive membership cannot make a cycle, so it is allowed.
        try directory.addMember("a-team", to: "b-team", status: .invited)
    }

    @Test("The fake serves Launchpad's paging rules: ws.size above 300 is a 400")
    func fakeWsSizeLimit() async throws {
        let fake = try InMemoryLaunchpad(directory: try {
            var directory = LaunchpadDirectory()
            try directory.addTeam("t")
            return directory
        }())
        let base = "https://api.launchpad.net/1.0/~t/members"
        let tooBig = try await fake.execute(HTTPRequest(url: URL(string: base + "?ws.size=301")!))
        #expect(tooBig.status == 400)
        let empty = try await fake.execute(HTTPRequest(url: URL(string: base)!))
        let object = try #require(try JSONSerialization.jsonObject(with: empty.body) as? [String: Any])
        #expect(object["total_size"] as? Int == 0)
        #expect((object["entries"] as? [Any])?.isEmpty == true)
        #expect(object["next_collection_link"] == nil)
        await #expect(throws: HTTPClientError.cannotConnect) {
            try await fake.execute(HTTPRequest(url: URL(string: "https://elsewhere.example/1.0/~t")!))
        }
    }
}
