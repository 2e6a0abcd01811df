import CommunityMailSystem
import MailAccess
import Testing

/// ``IMAPConnectionState`` without sockets, against RFC 9051's rules for the
/// not-authenticated state: LOGINDISABLED and no AUTH= before TLS unless allowed (section
/// 6.2.3, RFC 2595), STARTTLS only once and only before login (6.2.1), AUTHENTICATE's empty
/// challenge, `*` cancellation answered BAD and SASL-IR (6.2.2, RFC 4959), the commands the
/// connection keeps after login; and ``IMAPServer``'s refusal of unusable configurations.
@Suite struct IMAPServerConnectionStateTests {
    static func state(starttls: Bool = true, plaintext: Bool = false, overTLS: Bool = false) -> IMAPConnectionState {
        var configuration = IMAPConnectionState.Configuration()
        configuration.serverName = "imap.test"
        configuration.offersSTARTTLS = starttls
        configuration.allowsPlaintextAuthentication = plaintext
        return IMAPConnectionState(configuration: configuration, overTLS: overTLS)
    }

    static func command(_ kind: IMAPCommand.Kind, tag: String = "a1") -> IMAPCommand { IMAPCommand(tag: tag, kind: kind) }

    static func wire(_ actions: [IMAPConnectionState.Action]) -> [String] {
        actions.compactMap { action in
            guard case .respond(let response) = action else { return nil }
            return String(decoding: IMAPResponseEncoder().encode(response), as: UTF8.self)
        }
    }

    @Test func beforeTLSPasswordsAreRefusedAndLOGINDISABLEDAnnounced() {
        var state = Self.state()
        let greeting = Self.wire(state.greeting())
        #expect(greeting.count == 1)
        #expect(greeting.first?.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED LITERAL+ ID ENABLE IDLE ") == true)
        #expect(greeting.first?.hasSuffix(" APPENDLIMIT=52428800] imap.test ready\r\n") == true)
        #expect(!state.capabilities.names.contains { $0.hasPrefix("AUTH=") })
        let login = state.receive(Self.command(.login(username: "alice", password: IMAPSecret(Array("secret1".utf8)))))
        #expect(Self.wire(login) == ["a1 NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS\r\n"])
        let plain = state.receive(Self.command(.authenticate(mechanism: "PLAIN", initialResponse: IMAPSecret(Array("\0alice\0secret1".utf8)))))
        #expect(Self.wire(plain).first?.hasPrefix("a1 NO [PRIVACYREQUIRED]") == true)
        #expect(state.receive(Self.command(.startTLS)) == [
            .respond(.tagged(tag: "a1", IMAPStatusResponse(status: .ok, text: "Begin TLS negotiation now"))), .startTLS,
        ])
        state.tlsEstablished()
        let names = state.capabilities.names
        #expect(!names.contains("STARTTLS") && !names.contains("LOGINDISABLED") && names.contains("AUTH=PLAIN") && names.contains("SASL-IR"))
        #expect(Self.wire(state.receive(Self.command(.startTLS))) == ["a1 BAD TLS is already active\r\n"])
        #expect(state.receive(Self.command(.login(username: "alice", password: IMAPSecret(Array("secret1".utf8))))) == [
            .authenticate(tag: "a1", credentials: MailAccessCredentials(login: "alice", password: "secret1")),
        ])
    }

    @Test func plaintextAllowedAnnouncesBothSTARTTLSAndAuthPlain() {
        let names = Self.state(plaintext: true).capabilities.names
        #expect(names.contains("STARTTLS") && names.contains("AUTH=PLAIN") && !names.contains("LOGINDISABLED"))
        // No certificate: no STARTTLS, and it is refused.
        var bare = Self.state(starttls: false, plaintext: true)
        #expect(!bare.capabilities.names.contains("STARTTLS"))
        #expect(Self.wire(bare.receive(Self.command(.startTLS))) == ["a1 BAD STARTTLS is not offered\r\n"])
    }

    @Test func authenticatePlainWithContinuationCancellationAndInitialResponse() {
        var state = Self.state(overTLS: true)
        #expect(state.receive(Self.command(.authenticate(mechanism: "PLAIN", initialResponse: nil), tag: "p1")) == [
            .respond(.continuation(.challenge([]))), .awaitAuthenticationResponse,
        ])
        #expect(Self.wire(state.receive(authenticationResponse: .cancelled)) == ["p1 BAD Authentication cancelled\r\n"])
        #expect(state.pendingAuthenticationTag == nil)
        _ = state.receive(Self.command(.authenticate(mechanism: "PLAIN", initialResponse: nil), tag: "p2"))
        #expect(Self.wire(state.authenticationResponseInvalid()) == ["p2 BAD Invalid base64 response\r\n"])
        _ = state.receive(Self.command(.authenticate(mechanism: "PLAIN", initialResponse: nil), tag: "p3"))
        #expect(state.receive(authenticationResponse: .response(IMAPSecret(Array("\0alice\0secret1".utf8)))) == [
            .authenticate(tag: "p3", credentials: MailAccessCredentials(login: "alice", password: "secret1")),
        ])
        // SASL-IR: `=` is an empty response, which PLAIN cannot be.
        let empty = state.receive(Self.command(.authenticate(mechanism: "PLAIN", initialResponse: IMAPSecret([])), tag: "p4"))
        #expect(Self.wire(empty) == ["p4 NO [AUTHENTICATIONFAILED] Authentication failed\r\n"])
        let other = state.receive(Self.command(.authenticate(mechanism: "XOAUTH2", initialResponse: nil), tag: "p5"))
        #expect(Self.wire(other) == ["p5 NO [CANNOT] Unsupported authentication mechanism\r\n"])
        for outcome: IMAPConnectionState.AuthenticationOutcome in [.refused, .rateLimited, .tooManySessions, .unavailable(temporary: true)] {
            #expect(Self.wire(state.authenticationFinished(tag: "p6", outcome)).first?.hasPrefix("p6 NO [") == true)
            #expect(!state.isAuthenticated)
        }
        let success = Self.wire(state.authenticationFinished(tag: "p7", .succeeded))
        #expect(success.first?.hasPrefix("p7 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ") == true)
        #expect(success.first?.contains("AUTH=PLAIN") == false)
        #expect(state.isAuthenticated)
    }

    @Test func commandsBeforeAndAfterLogin() {
        var state = Self.state(overTLS: true)
        let select = Self.command(.select(mailbox: "INBOX", parameters: IMAPSelectParameters()))
        #expect(Self.wire(state.receive(select)) == ["a1 BAD Log in first\r\n"])
        #expect(Self.wire(state.receive(Self.command(.idle))) == ["a1 BAD Log in first\r\n"])
        #expect(Self.wire(state.receive(Self.command(.noop))) == ["a1 OK NOOP completed\r\n"])
        #expect(Self.wire(state.receive(Self.command(.id(nil)))) == ["* ID NIL\r\n", "a1 OK ID completed\r\n"])
        _ = state.authenticationFinished(tag: "a0", .succeeded)
        #expect(state.receive(select) == [.forward(select)])
        #expect(state.receive(Self.command(.noop)) == [.forward(Self.command(.noop))])
        #expect(state.receive(Self.command(.idle, tag: "i1")) == [.idle(tag: "i1")])
        #expect(Self.wire(state.receive(Self.command(.startTLS))) == ["a1 BAD STARTTLS is only valid before login\r\n"])
        let again = state.receive(Self.command(.login(username: "alice", password: IMAPSecret(Array("x".utf8)))))
        #expect(Self.wire(again) == ["a1 BAD Already logged in\r\n"])
        let logout = state.receive(Self.command(.logout))
        #expect(Self.wire(logout) == ["* BYE Logging out\r\n", "a1 OK LOGOUT completed\r\n"] && logout.last == .close)
        #expect(Self.wire(state.timedOut()) == ["* BYE Autologout; idle for too long\r\n"])
        #expect(Self.wire(state.loginTimedOut()) == ["* BYE Autologout; not logged in in time\r\n"])
    }

    @Test func literalMinusIsAnnouncedWhenConfigured() {
        var configuration = IMAPConnectionState.Configuration()
        configuration.nonSynchronizingLiterals = .literalMinus
        configuration.appendLimit = 1_000_000
        let names = IMAPConnectionState(configuration: configuration, overTLS: true).capabilities.names
        #expect(names.contains("LITERAL-") && !names.contains("LITERAL+") && names.contains("APPENDLIMIT=1000000"))
    }

    @Test func unusableConfigurationsAreRefused() async throws {
        let authenticator = RefusingAuthenticator()
        await #expect(throws: MailAccessError.invalidConfiguration) {
            _ = try await IMAPServer(
                address: try SocketAddress("127.0.0.1:0"), implicitTLSAddress: try SocketAddress("127.0.0.1:0"),
                configuration: IMAPServer.Configuration(), authenticator: authenticator)
        }
        var configuration = IMAPServer.Configuration()
        configuration.maximumBadCommands = 0
        await #expect(throws: MailAccessError.invalidConfiguration) {
            _ = try await IMAPServer(address: try SocketAddress("127.0.0.1:0"), configuration: configuration, authenticator: authenticator)
        }
        configuration = IMAPServer.Configuration()
        configuration.parser.maximumLineLength = 100
        await #expect(throws: MailAccessError.invalidConfiguration) {
            _ = try await IMAPServer(address: try SocketAddress("127.0.0.1:0"), configuration: configuration, authenticator: authenticator)
        }
        #expect(IMAPServer.Configuration().limits.idleTimeout == .seconds(1800))
        // A server name goes into greetings and BYE lines: it must be one line, and there.
        for name in ["", "imap.test\r\n* OK forged"] {
            configuration = IMAPServer.Configuration()
            configuration.serverName = name
            let error = await #expect(throws: MailAccessError.invalidConfiguration) {
                _ = try await IMAPServer(address: try SocketAddress("127.0.0.1:0"), configuration: configuration, authenticator: authenticator)
            }
            #expect(error?.message.contains("server name") == true, "\(String(describing: error))")
        }
    }
}

/// Refuses everyone: the configuration checks never get as far as a login.
private struct RefusingAuthenticator: MailAccessAuthenticator {
    func authenticate(_ credentials: MailAccessCredentials) async -> MailAccessAuthentication { .refused }
}
