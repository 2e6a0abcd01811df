import CommunityMailSystem
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

@Suite struct DiscoveryTests {
    func discovery(_ replies: [ScriptedHTTPClient.Reply], maximumSize: Int = 1 << 20) -> (OpenIDDiscovery, ScriptedHTTPClient) {
        let http = ScriptedHTTPClient(replies: replies)
        var configuration = OpenIDDiscovery.Configuration()
        configuration.maximumDocumentSize = maximumSize
        return (OpenIDDiscovery(httpClient: http, cache: InMemoryDiscoveryCache(), clock: ManualClock(), configuration: configuration,
                                urlPolicy: OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)), http)
    }

    static func xrds(_ body: String) -> ScriptedHTTPClient.Reply {
        .response(HTTPResponse(status: 200, headers: ["Content-Type": "application/xrds+xml"], body: Data(body.utf8)))
    }

    static func html(_ body: String, headers: HTTPHeaders = ["Content-Type": "text/html"]) -> ScriptedHTTPClient.Reply {
        .response(HTTPResponse(status: 200, headers: headers, body: Data(body.utf8)))
    }

    @Test func normalization() throws {
        #expect(try OpenIDIdentifier.normalize("Example.COM") == "http://example.com/")
        #expect(try OpenIDIdentifier.normalize(" https://example.com:443/a#frag ") == "https://example.com/a")
        #expect(try OpenIDIdentifier.normalize("http://example.com:8080/~bob?x=1") == "http://example.com:8080/~bob?x=1")
        #expect(throws: OpenIDError.unsupportedIdentifier) { try OpenIDIdentifier.normalize("=example") }
        #expect(throws: OpenIDError.unsupportedIdentifier) { try OpenIDIdentifier.normalize("xri://@example") }
        #expect(throws: OpenIDError.invalidIdentifier) { try OpenIDIdentifier.normalize("not an identifier at all") }
        #expect(throws: OpenIDError.invalidIdentifier) { try OpenIDIdentifier.normalize("") }
    }

    @Test func xrdsServicesAreOrderedAndOPIdentifiersWin() async throws {
        let document = """
            <?xml version="1.0"?>
            <xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">
              <XRD><Service priority="0"><Type>http://specs.openid.net/auth/2.0/server</Type><URI>https://old.example/</URI></Service></XRD>
              <XRD>
                <Service priority="20"><Type>http://specs.openid.net/auth/2.0/signon</Type><URI>https://b.example/op</URI></Service>
                <Service priority="10"><Type>http://specs.openid.net/auth/2.0/signon</Type>
                  <URI priority="2">https://a.example/second</URI><URI priority="1">https://a.example/first</URI>
                  <LocalID>https://a.example/u/bob</LocalID></Service>
                <Service><Type>http://openid.net/signon/1.0</Type><URI>https://v1.example/</URI></Service>
              </XRD>
            </xrds:XRDS>
            """
        let (discovery, http) = discovery([Self.xrds(document)])
        let result = try await discovery.discover("https://bob.example/")
        #expect(result.services.map(\.endpoint) == ["https://a.example/first", "https://a.example/second", "https://b.example/op"])
        #expect(result.services.first?.localIdentifier == "https://a.example/u/bob")
        #expect(result.isOPIdentifier == false)
        #expect(http.requests.first?.headers["Accept"]?.contains("application/xrds+xml") == true)
        // Cached: a second discovery makes no request.
        _ = try await discovery.discover("https://bob.example/")
        #expect(http.requests.count == 1)
    }

    @Test(arguments: [
        #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xrds:XRDS xmlns:xrds="xri://$xrds"><XRD>&e;</XRD></xrds:XRDS>"#,
        #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><x>&lol2;</x>"#,
        "<xrds:XRDS xmlns:xrds=\"xri://$xrds\"><XRD><Service>",
        "not xml at all <<<",
    ])
    func unsafeOrBrokenXMLIsRefused(document: String) async throws {
        let (discovery, _) = discovery([Self.xrds(document)])
        await #expect(throws: OpenIDError.unsafeDocument) { try await discovery.discover("https://bob.example/") }
    }

    static let entityXRDS = """
        <?xml version="1.0" encoding="UTF-16"?>
        <!DOCTYPE xrds:XRDS [<!ENTITY ext SYSTEM "file:///etc/hostname">]>
        <xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service>
        <Type>http://specs.openid.net/auth/2.0/signon</Type><URI>https://op.example/</URI></Service></XRD></xrds:XRDS>
        """

    /// The DTD refusal reads bytes; in UTF-16 or UCS-4 `<!DOCTYPE` is not those bytes. Every
    /// encoding but UTF-8 is refused, however it is announced.
    @Test(arguments: [
        ("utf-16le, BOM", Data([0xFF, 0xFE]) + entityXRDS.data(using: .utf16LittleEndian)!, "application/xrds+xml"),
        ("utf-16le, no BOM", entityXRDS.data(using: .utf16LittleEndian)!, "application/xrds+xml"),
        ("utf-16be, BOM", Data([0xFE, 0xFF]) + entityXRDS.data(using: .utf16BigEndian)!, "application/xrds+xml"),
        ("ucs-4", entityXRDS.data(using: .utf32BigEndian)!, "application/xrds+xml"),
        ("declared utf-16 in ASCII", Data(entityXRDS.replacingOccurrences(of: "<!DOCTYPE xrds:XRDS [<!ENTITY ext SYSTEM \"file:///etc/hostname\">]>", with: "").utf8),
         "application/xrds+xml"),
        ("charset utf-16", Data(#"<xrds:XRDS xmlns:xrds="xri://$xrds"/>"#.utf8), "application/xrds+xml; charset=UTF-16"),
        ("invalid utf-8", Data([0x3C, 0x78, 0xFF, 0xFE, 0x3E]), "application/xrds+xml"),
    ])
    func xrdsThatIsNotUTF8IsRefused(name: String, body: Data, contentType: String) async throws {
        let (discovery, _) = discovery([.response(HTTPResponse(status: 200, headers: ["Content-Type": contentType], body: body))])
        await #expect(throws: OpenIDError.unsafeDocument, "\(name)") { try await discovery.discover("https://bob.example/") }
    }

    @Test func utf8XRDSWithBOMAndDeclarationIsRead() async throws {
        let document = #"<?xml version='1.0' encoding='utf-8'?><xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service><Type>http://specs.openid.net/auth/2.0/signon</Type><URI>https://op.example/</URI></Service></XRD></xrds:XRDS>"#
        let body = Data([0xEF, 0xBB, 0xBF]) + Data(document.utf8)
        let (discovery, _) = discovery([
            .response(HTTPResponse(status: 200, headers: ["Content-Type": "application/xrds+xml; charset=utf-8"], body: body)),
        ])
        #expect(try await discovery.discover("https://bob.example/").services.first?.endpoint == "https://op.example/")
    }

    /// The DTD refusal scans the whole document, not a prefix: a host that raises
    /// `maximumDocumentSize` must not let a DTD through behind a long comment.
    @Test func dtdPastTheFirstMebibyteIsRefused() async throws {
        let padding = "<!--" + String(repeating: "x", count: (1 << 20) + 512) + "-->"
        let document = #"<?xml version="1.0" encoding="UTF-8"?>"# + padding
            + #"<!DOCTYPE xrds:XRDS [<!ENTITY op "https://op.example/">]>"#
            + #"<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service><Type>http://specs.openid.net/auth/2.0/signon</Type><URI>&op;</URI></Service></XRD></xrds:XRDS>"#
        let (discovery, _) = discovery([Self.xrds(document)], maximumSize: 4 << 20)
        await #expect(throws: OpenIDError.unsafeDocument) { try await discovery.discover("https://bob.example/") }
    }

    @Test func deeplyNestedXMLIsRefused() async throws {
        let document = String(repeating: "<a>", count: 200) + String(repeating: "</a>", count: 200)
        let (discovery, _) = discovery([Self.xrds(document)])
        await #expect(throws: OpenIDError.unsafeDocument) { try await discovery.discover("https://bob.example/") }
    }

    @Test func oversizedDocumentIsRefused() async throws {
        let (discovery, _) = discovery([Self.html(String(repeating: "x", count: 5000))], maximumSize: 4096)
        await #expect(throws: OpenIDError.documentTooLarge) { try await discovery.discover("https://bob.example/") }
    }

    @Test func htmlLinksAreFound() async throws {
        let page = """
            <!DOCTYPE html><html><head><!-- <link rel="openid2.provider" href="https://commented.example/"> -->
            <script>var s = '<link rel="openid2.provider" href="https://script.example/">';</script>
            <LINK REL="stylesheet openid2.provider" HREF="https://op.example/server?a=1&amp;b=2">
            <link href='https://op.example/u/bob' rel='openid2.local_id'/>
            </head><body><link rel="openid2.provider" href="https://body.example/"></body></html>
            """
        let (discovery, _) = discovery([Self.html(page)])
        let result = try await discovery.discover("https://bob.example/")
        #expect(result.services.count == 1)
        #expect(result.services.first?.endpoint == "https://op.example/server?a=1&b=2")
        #expect(result.services.first?.localIdentifier == "https://op.example/u/bob")
        #expect(result.services.first?.claimedIdentifier == "https://bob.example/")
    }

    @Test func xrdsLocationMetaIsFollowed() async throws {
        let page = #"<html><head><meta http-equiv="X-XRDS-Location" content="/yadis.xml"></head></html>"#
        let document = #"<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service><Type>http://specs.openid.net/auth/2.0/signon</Type><URI>https://op.example/</URI></Service></XRD></xrds:XRDS>"#
        let (discovery, http) = discovery([Self.html(page), Self.xrds(document)])
        let result = try await discovery.discover("https://bob.example/page")
        #expect(result.services.first?.endpoint == "https://op.example/")
        #expect(http.requests.last?.url.absoluteString == "https://bob.example/yadis.xml")
    }

    @Test func redirectsAreFollowedAndLimited() async throws {
        let page = #"<html><head><link rel="openid2.provider" href="https://op.example/"></head></html>"#
        let (discovery, _) = discovery([
            .response(HTTPResponse(status: 302, headers: ["Location": "https://final.example/bob"])), Self.html(page),
        ])
        #expect(try await discovery.discover("https://start.example/").identifier == "https://final.example/bob")
        let loops = (0..<10).map { _ in ScriptedHTTPClient.Reply.response(HTTPResponse(status: 302, headers: ["Location": "/again"])) }
        let (looping, _) = self.discovery(loops)
        await #expect(throws: OpenIDError.discoveryFailed) { try await looping.discover("https://loop.example/") }
    }

    @Test func pagesWithoutOpenIDAreTyped() async throws {
        let (discovery, _) = discovery([Self.html("<html><head></head><body>hi</body></html>")])
        await #expect(throws: OpenIDError.noOpenIDService) { try await discovery.discover("https://bob.example/") }
        let (failing, _) = self.discovery([.response(HTTPResponse(status: 500))])
        await #expect(throws: OpenIDError.discoveryFailed) { try await failing.discover("https://bob.example/") }
        let (broken, _) = self.discovery([.failure(.timeout)])
        await #expect(throws: OpenIDError.discoveryFailed) { try await broken.discover("https://bob.example/") }
    }
}
