import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mail-access` with IMAP and POP3 at once: imaplib logs in over STARTTLS and IMAPS while
/// poplib deletes a message of the same member (one shared open mailbox), the IMAP session
/// is told of the expunge; SIGTERM says `* BYE` to a waiting IMAP client and exits 0; the log
/// holds no name or password.
@Suite(.enabled(if: TestPeers.shouldRun(TestPeers.builtExecutable("mail-access") != nil && TestPeers.executable("python3") != nil)))
struct IMAPServerExampleTests {
    struct Outcome: Decodable {
        var imapLogin: String
        var selected: String
        var expunged: [String]
        var imapsLogin: String
        var pop3: String
    }

    @Test func servesIMAPBesidePOP3AndStopsOnSIGTERM() async throws {
        let example = try await MailAccessExampleProcess.start(listening: [.imap, .imaps, .pop3])
        let imapPort = try example.port(.imap)
        let settings: [String: Any] = [
            "port": Int(imapPort), "tls_port": Int(try example.port(.imaps)), "cafile": example.certificates.authority,
            "extra": ["pop3": Int(try example.port(.pop3))],
        ]
        let outcome = try await IMAPPythonScript.run(IMAPPythonScript.prelude + #"""
            import poplib
            imap = starttls()
            try:
                imap.login("alice", "wrong")
            except imap.error:
                pass
            typ, data = imap.login("alice", "secret1")
            login = typ
            typ, data = imap.select("INBOX")
            selected = text(data[0])
            pop = poplib.POP3("127.0.0.1", extra["pop3"], timeout=120)
            pop.stls(context)
            pop.user("alice")
            pop.pass_("secret1")
            pop.dele(1)
            quit = text(pop.quit())
            # The mailbox's event reaches the session on its own time: NOOP until it is told.
            expunged = []
            for attempt in range(600):
                imap.noop()
                expunged = [text(x) for x in imap.untagged_responses.get("EXPUNGE", [])]
                if expunged:
                    break
                time.sleep(0.1)
            imap.logout()
            imaps = implicit()
            typ, data = imaps.login("alice", "secret1")
            imaps.logout()
            print(json.dumps({"imapLogin": login, "selected": selected, "expunged": expunged, "imapsLogin": typ, "pop3": quit}))
            """#, settings: settings, as: Outcome.self)
        #expect(outcome.imapLogin == "OK" && outcome.imapsLogin == "OK")
        #expect(outcome.selected == "\(POP3TestMessages.all.count)")
        #expect(outcome.pop3.hasPrefix("+OK"))
        #expect(outcome.expunged == ["1"])

        let waiting = try await POP3LineClient(port: imapPort)
        #expect(try await waiting.readLine()?.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED") == true)
        example.signal(SIGTERM)
        #expect(try await waiting.readToEnd() == ["* BYE Server shutting down"])
        await waiting.close()
        #expect(await example.exited() == 0)
        #expect(example.output.contains("imap login refused"))
        #expect(!example.output.contains("wrong") && !example.output.contains("secret1") && !example.output.contains("alice"))
    }
}
