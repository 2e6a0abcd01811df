import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// Clients nobody here wrote against the server over TLS: curl lists folders, searches and
/// fetches every message over `imap://` with STARTTLS (`--ssl-reqd`) and `imaps://`; Python's
/// imaplib runs a session through SELECT, FETCH, STORE, SEARCH, APPEND, EXPUNGE over implicit
/// TLS; a FETCH of 1,000 bodies arrives whole.
@Suite(.enabled(if: TestPeers.shouldRun(TestPeers.executable("curl") != nil && TestPeers.executable("python3") != nil)))
struct IMAPServerClientTests {
    /// `bytes` with every bare LF made CRLF (what IMAP's BODY[] sends).
    static func crlf(_ bytes: [UInt8]) -> [UInt8] { WireForm.of(bytes) }

    @Test func curlListsSearchesAndFetches() async throws {
        let fixture = try await IMAPServerFixture.start()
        let curl = try #require(TestPeers.executable("curl"))
        let authority = try #require(fixture.certificates).authority
        let tlsPort = try #require(fixture.implicitTLSPort)
        let common = ["-s", "-S", "--cacert", authority, "-u", "alice:secret1"]
        let (listStatus, listing) = try await ChildProcess.run(curl, common + ["--ssl-reqd", "imap://127.0.0.1:\(fixture.port)/"])
        #expect(listStatus == 0, "\(listing)")
        #expect(listing.contains("INBOX"), "\(listing)")
        let (searchStatus, search) = try await ChildProcess.run(
            curl, common + ["imaps://127.0.0.1:\(tlsPort)/INBOX", "-X", "UID SEARCH ALL"])
        #expect(searchStatus == 0, "\(search)")
        let uids = search.split(whereSeparator: \.isWhitespace).dropFirst(2).compactMap { Int($0) }
        #expect(uids.count == POP3TestMessages.all.count, "\(search)")
        for (index, message) in POP3TestMessages.all.enumerated() where index < uids.count {
            let folder = try TemporaryDirectory(prefix: "curl-imap")
            let file = folder.path("m")
            let url = index % 2 == 0
                ? "imap://127.0.0.1:\(fixture.port)/INBOX;UID=\(uids[index])" : "imaps://127.0.0.1:\(tlsPort)/INBOX;UID=\(uids[index])"
            let (status, output) = try await ChildProcess.run(curl, common + ["--ssl-reqd", "-o", file, url])
            #expect(status == 0, "\(output)")
            let got = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(got == Self.crlf(message), "message \(index + 1) over \(url.prefix(5))")
        }
        await fixture.stop()
        // curl fetched; nothing changed in the mailbox.
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
    }

    struct Session: Decodable {
        var select: [String]
        var sizes: [Int]
        var bodies: [String]
        var searchSeen: String
        var appendUID: String
        var afterExpunge: String
        var utf8: [String]
    }

    @Test func imaplibRunsASessionOverImplicitTLS() async throws {
        let fixture = try await IMAPServerFixture.start()
        let result = try await fixture.python(#"""
            import re
            client = implicit()
            client.login("alice", "secret1")
            typ, data = client.select("INBOX")
            select = [typ, text(data[0])]
            typ, data = client.fetch("1:*", "(RFC822.SIZE)")
            sizes = [int(re.search(rb"RFC822.SIZE (\d+)", d).group(1)) for d in data]
            bodies = []
            for n in range(1, len(sizes) + 1):
                typ, data = client.fetch(str(n), "(BODY.PEEK[])")
                bodies.append(base64.b64encode(data[0][1]).decode())
            client.store("2", "+FLAGS", "(\\Seen)")
            typ, data = client.search(None, "SEEN")
            search_seen = text(data[0])
            typ, data = client.append("INBOX", "(\\Flagged)", None, extra["message"].encode())
            append_uid = text(data[0])
            client.store("1", "+FLAGS", "(\\Deleted)")
            client.expunge()
            typ, data = client.status("INBOX", "(MESSAGES)")
            after = text(data[0])
            # UTF-8 names once enabled (RFC 9051 / RFC 6855): the parser and encoder follow.
            client.unselect()
            typ, data = client.enable("UTF8=ACCEPT")
            client.send('u1 CREATE "Grüße"\r\n'.encode())
            created = text(client.readline()).rstrip()
            lines = [line.encode("latin-1").decode("utf-8") for line in raw(client, 'u2 LIST "" "Gr*"'.encode())]
            client.logout()
            print(json.dumps({"select": select, "sizes": sizes, "bodies": bodies, "searchSeen": search_seen,
                              "appendUID": append_uid, "afterExpunge": after, "utf8": [created] + lines}))
            """#, extra: ["message": IMAPServerIdleTests.newMessage], as: Session.self)
        let messages = POP3TestMessages.all
        #expect(result.select == ["OK", "\(messages.count)"])
        // RFC822.SIZE is the size in RFC 5322 form (CRLF line ends), the length of BODY[].
        for (index, message) in messages.enumerated() where index < result.sizes.count {
            #expect(result.sizes[index] == Self.crlf(message).count, "message \(index + 1)")
        }
        #expect(result.sizes.count == messages.count)
        #expect(result.bodies.map { Array(Data(base64Encoded: $0) ?? Data()) } == messages.map(Self.crlf))
        #expect(result.searchSeen == "2")
        #expect(result.appendUID.hasPrefix("[APPENDUID "))
        #expect(result.afterExpunge == "INBOX (MESSAGES \(messages.count))")
        #expect(result.utf8.first?.hasPrefix("u1 OK") == true, "\(result.utf8)")
        #expect(result.utf8.contains("* LIST (\\HasNoChildren) \"/\" \"Grüße\""), "\(result.utf8)")
        await fixture.stop()
        let inbox = try await fixture.inboxContents()
        #expect(inbox == Array(messages.dropFirst()) + [Array(IMAPServerIdleTests.newMessage.utf8)])
    }

    @Test func aThousandBodiesStreamWhole() async throws {
        let body = String(repeating: "All work and no play makes a dull message.\r\n", count: 400)
        let messages = (0..<1_000).map { Array("Subject: message \($0)\r\nMessage-ID: <\($0)@example.org>\r\n\r\n\(body)".utf8) }
        let fixture = try await IMAPServerFixture.start(messages: messages)
        let result = try await fixture.python(#"""
            client = starttls()
            client.login("alice", "secret1")
            client.select("INBOX", readonly=True)
            started = time.time()
            typ, data = client.fetch("1:1000", "(BODY.PEEK[])")
            elapsed = time.time() - started
            bodies = [d[1] for d in data if isinstance(d, tuple)]
            client.logout()
            print(json.dumps({"count": len(bodies), "bytes": sum(len(b) for b in bodies), "seconds": elapsed,
                              "first": bodies[0].decode(), "last": bodies[-1].decode()}))
            """#, as: Streamed.self)
        #expect(result.count == 1_000)
        #expect(result.bytes == messages.reduce(0) { $0 + $1.count })
        #expect(result.first == String(decoding: messages[0], as: UTF8.self) && result.last == String(decoding: messages[999], as: UTF8.self))
        await fixture.stop()
    }

    struct Streamed: Decodable {
        var count: Int
        var bytes: Int
        var seconds: Double
        var first: String
        var last: String
    }
}
