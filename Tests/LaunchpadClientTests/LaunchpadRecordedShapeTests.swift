import CommunityMailSystem
import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

/// Pages shaped like those api.launchpad.net serves (field names, link forms with `memo`,
/// `prev_collection_link`, page resource types; values invented), answered by a scripted
/// transport at the production root: no network.
@Suite("Recorded Launchpad shapes at the production root")
struct LaunchpadRecordedShapeTests {
    static func entry(_ name: String) -> String {
        """
        {"self_link": "https://api.launchpad.net/1.0/~\(name)", "web_link": "https://launchpad.net/~\(name)",
         "resource_type_link": "https://api.launchpad.net/1.0/#person", "http_etag": "\\"a-\(name)\\"",
         "name": "\(name)", "display_name": "\(name.capitalized)", "is_team": false, "is_valid": true,
         "is_ubuntu_coc_signer": true, "karma": 0, "is_probationary": true, "visibility": "Public",
         "date_created": "2010-01-01T00:00:00+00:00", "time_zone": "UTC", "private": false,
         "members_collection_link": "https://api.launchpad.net/1.0/~\(name)/members",
         "logo_link": "https://api.launchpad.net/1.0/~\(name)/logo", "hide_email_addresses": false}
        """
    }

    static func page(_ names: [String], start: Int, total: Int, next: String?) -> HTTPResponse {
        var fields = [
            "\"start\": \(start)", "\"total_size\": \(total)",
            "\"resource_type_link\": \"https://api.launchpad.net/1.0/#person-page-resource\"",
            "\"entries\": [\(names.map(entry).joined(separator: ", "))]",
        ]
        if let next { fields.append("\"next_collection_link\": \"\(next)\"") }
        if start > 0 {
            fields.append("\"prev_collection_link\": \"https://api.launchpad.net/1.0/~t/members?ws.size=2&memo=0&ws.start=0&direction=backwards\"")
        }
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{\(fields.joined(separator: ", "))}".utf8))
    }

    func client(_ http: ScriptedHTTPClient) throws -> LaunchpadWebServiceClient {
        var configuration = LaunchpadWebServiceClient.Configuration()
        configuration.pageSize = 2
        configuration.maximumConcurrentPages = 1
        return try LaunchpadWebServiceClient(configuration: configuration, httpClient: http, clock: ManualClock(advancesOnSleep: true))
    }

    @Test("Requests use Launchpad's URLs; the opaque next link (with memo) is followed as given")
    func followsOpaqueLinks() async throws {
        let http = ScriptedHTTPClient(replies: [
            .response(Self.page(["ann", "ben"], start: 0, total: 3,
                                next: "https://api.launchpad.net/1.0/~t/members?ws.size=2&memo=2&ws.start=2")),
            .response(Self.page(["cat"], start: 2, total: 3, next: nil)),
        ])
        let names = try await client(http).members(of: "~t").collect().map(\.name)
        #expect(names == ["ann", "ben", "cat"])
        #expect(http.requests.map(\.url.absoluteString) == [
            "https://api.launchpad.net/1.0/~t/members?ws.size=2&ws.start=0",
            "https://api.launchpad.net/1.0/~t/members?ws.size=2&memo=2&ws.start=2",
        ])
        #expect(http.requests.allSatisfy { $0.headers["Accept"] == "application/json" && $0.headers["Authorization"] == nil })
    }

    @Test("Links that leave the root are refused: other version, plain http, other port, look-alike host",
          arguments: [
              "https://api.launchpad.net/devel/~t/members?ws.start=2",
              "http://api.launchpad.net/1.0/~t/members?ws.start=2",
              "https://api.launchpad.net:8443/1.0/~t/members?ws.start=2",
              "https://api.launchpad.net.evil.example/1.0/~t/members?ws.start=2",
              "https://user@api.launchpad.net/1.0/~t/members?ws.start=2",
              "https://api.launchpad.net/1.0/../x/~t/members?ws.start=2",
          ])
    func refusesForeignLinks(link: String) async throws {
        let http = ScriptedHTTPClient(replies: [.response(Self.page(["ann", "ben"], start: 0, total: 3, next: link))])
        await #expect(throws: LaunchpadError.foreignLink) { try await client(http).members(of: "t").collect() }
        #expect(http.requests.count == 1)
    }

    @Test("A 404 body in Launchpad's plain-text form is a typed not-found")
    func notFoundText() async throws {
        let http = ScriptedHTTPClient(replies: [.response(HTTPResponse(
            status: 404, headers: ["Content-Type": "text/plain"],
            body: Data("Object: <lp.registry.model.personset.PersonSet object>, name: '~nobody'".utf8)))])
        await #expect(throws: LaunchpadError.notFound) { try await client(http).person(named: "nobody") }
        #expect(http.requests.first?.url.absoluteString == "https://api.launchpad.net/1.0/~nobody")
    }

    @Test("A 401 is unauthorized, not retried")
    func unauthorized() async throws {
        let http = ScriptedHTTPClient(replies: [.response(HTTPResponse(status: 401, body: Data("Unknown access token".utf8)))])
        await #expect(throws: LaunchpadError.unauthorized) { try await client(http).person(named: "alice") }
        #expect(http.requests.count == 1)
    }
}
