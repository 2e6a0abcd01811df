import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

/// The not-authenticated state against Python's `imaplib` (a client nobody here wrote) and
/// raw lines: the greeting and CAPABILITY before and after STARTTLS (RFC 9051 sections
/// 6.1.1, 6.2.1, 7.1), LOGINDISABLED (RFC 2595 section 3.2), LOGIN, AUTHENTICATE PLAIN
/// with a continuation and with SASL-IR (RFC 4959), cancellation, and the STARTTLS
/// command injection (pipelined plaintext must be discarded).
@Suite(.enabled(if: TestPeers.shouldRun(TestPeers.executable("python3") != nil)))
struct IMAPServerLoginTests {
    struct Capabilities: Decodable {
        var greeting: String
        var before: [String]
        var after: [String]
        var loginBeforeTLS: String
        var loggedIn: String
        var afterLogin: [String]
    }

    @Test func capabilitiesBeforeAndAfterSTARTTLS() async throws {
        let fixture = try await IMAPServerFixture.start()
        let result = try await fixture.python(#"""
            client = plain()
            greeting = text(client.welcome)
            before = list(client.capabilities)
            try:
                client.login("alice", "secret1")
                refused = "accepted"
            except client.error as error:
                refused = str(error)
            client.starttls(ssl_context=context)
            after = list(client.capabilities)
            typ, data = client.login("alice", "secret1")
            logged = typ + " " + text(data[0])
            typ, data = client.capability()
            after_login = text(data[0]).split(" ")
            client.logout()
            print(json.dumps({"greeting": greeting, "before": before, "after": after, "loginBeforeTLS": refused,
                              "loggedIn": logged, "afterLogin": after_login}))
            """#, as: Capabilities.self)
        // The greeting carries the capabilities (RFC 9051 section 7.1: CAPABILITY response code).
        #expect(result.greeting.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED"))
        #expect(result.before.contains("STARTTLS") && result.before.contains("LOGINDISABLED"))
        #expect(!result.before.contains { $0.hasPrefix("AUTH=") })
        #expect(result.loginBeforeTLS.contains("PRIVACYREQUIRED"))
        #expect(!result.after.contains("STARTTLS") && !result.after.contains("LOGINDISABLED"))
        #expect(result.after.contains("AUTH=PLAIN") && result.after.contains("SASL-IR"))
        for name in [
            "IMAP4REV1", "IMAP4REV2", "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "CHILDREN", "SPECIAL-USE", "UIDPLUS", "UNSELECT",
            "CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "QUOTA", "QUOTA=RES-STORAGE", "MOVE", "ESEARCH", "SEARCHRES", "LIST-EXTENDED",
            "LIST-STATUS", "STATUS=SIZE", "APPENDLIMIT=52428800",
        ] {
            #expect(result.after.contains(name), "\(name)")
        }
        #expect(result.loggedIn.hasPrefix("OK [CAPABILITY IMAP4rev1 IMAP4rev2 "))
        #expect(!result.afterLogin.contains("AUTH=PLAIN") && result.afterLogin.contains("IDLE"))
        await fixture.stop()
        #expect(fixture.events.contains(.login(.imap, .succeeded, overTLS: true)))
    }

    struct Outcomes: Decodable {
        var lines: [String: [String]]
        var errors: [String: String]
    }

    @Test func loginAndAuthenticatePlainSucceedAndFail() async throws {
        let fixture = try await IMAPServerFixture.start()
        let result = try await fixture.python(#"""
            lines, errors = {}, {}
            def attempt(name, action):
                try:
                    typ, data = action()
                    lines[name] = [typ] + [text(d) for d in data if isinstance(d, (bytes, str))]
                except Exception as error:
                    errors[name] = str(error)
            def plain_response(user, password):
                return lambda challenge: b"\0" + user.encode() + b"\0" + password.encode()
            client = starttls()
            attempt("wrong password", lambda: client.login("alice", "nope"))
            attempt("unknown user", lambda: client.login("mallory", "secret1"))
            attempt("plain wrong", lambda: client.authenticate("PLAIN", plain_response("alice", "nope")))
            attempt("plain cancelled", lambda: client.authenticate("PLAIN", lambda challenge: None))
            attempt("unknown mechanism", lambda: client.authenticate("CRAM-MD5", lambda challenge: b"x"))
            attempt("plain other identity", lambda: client.authenticate("PLAIN", lambda c: b"bob\0alice\0secret1"))
            lines["sasl-ir wrong"] = raw(client, b"s1 AUTHENTICATE PLAIN " + base64.b64encode(b"\0alice\0nope"))
            client.send(b"s2 AUTHENTICATE PLAIN\r\n")
            lines["not base64"] = [text(client.readline()).rstrip("\r\n")]
            client.send(b"!!!notbase64\r\n")
            lines["not base64"].append(text(client.readline()).rstrip("\r\n"))
            attempt("plain right", lambda: client.authenticate("PLAIN", plain_response("alice", "secret1")))
            lines["login again"] = raw(client, b"l1 LOGIN alice secret1")
            attempt("noop", lambda: client.noop())
            client.logout()
            sasl = starttls()
            lines["sasl-ir right"] = raw(sasl, b"s3 AUTHENTICATE PLAIN " + base64.b64encode(b"\0alice\0secret1"))
            lines["logout"] = raw(sasl, b"s4 LOGOUT")
            login = implicit()
            attempt("login over implicit tls", lambda: login.login("alice", "secret1"))
            attempt("id", lambda: login.xatom("ID", '("name" "imaplib")'))
            login.logout()
            print(json.dumps({"lines": lines, "errors": errors}))
            """#, as: Outcomes.self)
        func error(_ name: String) -> String { result.errors[name] ?? "no error for \(name): \(result.lines[name] ?? [])" }
        #expect(error("wrong password").contains("[AUTHENTICATIONFAILED]"))
        #expect(error("unknown user").contains("[AUTHENTICATIONFAILED]"))
        #expect(error("plain wrong").contains("[AUTHENTICATIONFAILED]"))
        // A cancelled exchange is answered BAD (RFC 9051 section 6.2.2).
        #expect(error("plain cancelled").contains("cancelled"))
        #expect(error("unknown mechanism").contains("NO") || error("unknown mechanism").contains("Unsupported"))
        #expect(error("plain other identity").contains("AUTHORIZATIONFAILED"))
        #expect(result.lines["sasl-ir wrong"]?.last?.hasPrefix("s1 NO [AUTHENTICATIONFAILED]") == true)
        #expect(result.lines["not base64"] == ["+ ", "s2 BAD Invalid base64 response"])
        #expect(result.lines["plain right"]?.first == "OK")
        #expect(result.lines["login again"] == ["l1 BAD Already logged in"])
        #expect(result.lines["noop"]?.first == "OK")
        #expect(result.lines["sasl-ir right"]?.last?.hasPrefix("s3 OK [CAPABILITY IMAP4rev1 IMAP4rev2") == true)
        #expect(result.lines["logout"] == ["* BYE Logging out", "s4 OK LOGOUT completed"])
        #expect(result.lines["login over implicit tls"]?.first == "OK")
        #expect(result.lines["id"]?.first == "OK")
        await fixture.stop()
        // Events name no one: only results.
        let logins = fixture.events.compactMap { event -> MailAccessEvent.LoginResult? in
            if case .login(.imap, let result, overTLS: true) = event { return result }
            return nil
        }
        #expect(logins.filter { $0 == .refused }.count == 4)
        #expect(logins.filter { $0 == .succeeded }.count == 3)
    }

    struct Injection: Decodable {
        var afterSTARTTLS: [String]
        var underTLS: [String]
    }

    @Test func plaintextPipelinedAfterSTARTTLSIsDiscarded() async throws {
        let fixture = try await IMAPServerFixture.start()
        let result = try await fixture.python(#"""
            sock = socket.create_connection(("127.0.0.1", config["port"]), timeout=120)
            reader = sock.makefile("rb")
            reader.readline()
            # STARTTLS and an injected command in one segment (RFC 9051 section 6.2.1).
            sock.sendall(b"a STARTTLS\r\nb LOGIN alice secret1\r\nc CAPABILITY\r\n")
            first = [text(reader.readline()).rstrip()]
            tls = context.wrap_socket(sock, server_hostname="localhost")
            tls_reader = tls.makefile("rb")
            tls.sendall(b"d NOOP\r\n")
            lines = []
            while True:
                line = text(tls_reader.readline()).rstrip()
                lines.append(line)
                if not line or line.startswith("d "):
                    break
            print(json.dumps({"afterSTARTTLS": first, "underTLS": lines}))
            """#, as: Injection.self)
        #expect(result.afterSTARTTLS == ["a OK Begin TLS negotiation now"])
        // Nothing of b or c ran: the first reply under TLS is d's, and d is not logged in.
        #expect(result.underTLS == ["d OK NOOP completed"])
        await fixture.stop()
        #expect(!fixture.events.contains { if case .login = $0 { return true } else { return false } })
    }
}
