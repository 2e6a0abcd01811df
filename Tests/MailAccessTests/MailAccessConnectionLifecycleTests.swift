import CommunityMailSystem
import EncryptedMailbox
import MailAccess
import Synchronization
import Testing

/// The connection lifecycle IMAP and POP3 share, from outside, through each server's
/// `serve` over in-memory streams: a connection over the address limit gets the protocol's
/// refusal on the plain port (IMAP `* BYE`, RFC 9051 section 7.1.5; POP3 `-ERR`) and
/// nothing on the implicit-TLS port, and never takes a place; an implicit-TLS connection
/// without a certificate ends before any byte; a session that ends without LOGOUT or QUIT
/// gives back its connection, its member session and the POP3 maildrop lock.
@Suite struct MailAccessConnectionLifecycleTests {
    enum Kind: String, CaseIterable, Sendable {
        case imap, pop3
        var accessProtocol: MailAccessEvent.AccessProtocol { self == .imap ? .imap : .pop3 }
    }

    /// The events a server reported.
    final class EventLog: Sendable {
        private let events = Mutex<[MailAccessEvent]>([])
        func record(_ event: MailAccessEvent) { events.withLock { $0.append(event) } }
        var all: [MailAccessEvent] { events.withLock { $0 } }
        var endings: [MailAccessEvent.Ending] {
            all.compactMap { event -> MailAccessEvent.Ending? in
                if case .sessionEnded(_, let ending, _, _) = event { return ending }
                return nil
            }
        }
    }

    /// A server of `kind` on a fresh in-memory store with member alice (password `pw`,
    /// user id `u1`) and one message; what it serves a stream with.
    struct Server: Sendable {
        let serve: @Sendable (_ stream: any ByteStream, _ client: InternetAddress?, _ implicitTLS: Bool) async -> Void
        let close: @Sendable () -> Void
    }

    static func start(_ kind: Kind, sessions: MailAccessSessionTable, limits: MailAccessLimits, events: EventLog) async throws -> Server {
        let (_, authenticator) = try await InMemoryMailAccessAuthenticator.aliceWithOneMessage()
        func shared(_ configuration: inout some MailAccessServerConfiguration) {
            configuration.plaintextAuthentication = .allowed
            configuration.sessions = sessions
            configuration.limits = limits
            configuration.events = { events.record($0) }
        }
        let address = try SocketAddress("127.0.0.1:0")
        switch kind {
        case .imap:
            var configuration = IMAPServer.Configuration(serverName: "lifecycle.test")
            shared(&configuration)
            let server = try await IMAPServer(address: address, configuration: configuration, authenticator: authenticator)
            return Server(serve: { await server.serve($0, client: $1, implicitTLS: $2) }, close: { server.close() })
        case .pop3:
            var configuration = POP3Server.Configuration(serverName: "lifecycle.test")
            shared(&configuration)
            let server = try await POP3Server(address: address, configuration: configuration, authenticator: authenticator)
            return Server(serve: { await server.serve($0, client: $1, implicitTLS: $2) }, close: { server.close() })
        }
    }

    /// Everything `stream` yields until the server closes it.
    static func readToEnd(_ stream: any ByteStream) async throws -> [UInt8] {
        var received: [UInt8] = []
        while true {
            let bytes = try await stream.read(maximumCount: 65_536, deadline: .now + .seconds(120))
            if bytes.isEmpty { return received }
            received += bytes
        }
    }

    @Test(arguments: Kind.allCases, [false, true])
    func aConnectionOverTheAddressLimitIsRefusedAndTakesNoPlace(kind: Kind, implicitTLS: Bool) async throws {
        var limits = MailAccessLimits()
        limits.maximumSessionsPerAddress = 1
        let sessions = MailAccessSessionTable()
        let events = EventLog()
        let server = try await Self.start(kind, sessions: sessions, limits: limits, events: events)
        let address = try #require(InternetAddress("192.0.2.7"))
        // Another connection from the address holds its only place.
        #expect(sessions.addConnection(from: address, limits: limits) == nil)
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await server.serve(serverEnd, address, implicitTLS) }
        let text = String(decoding: try await Self.readToEnd(client), as: UTF8.self)
        await serving.value
        await client.close()
        if implicitTLS {
            // Plaintext before the handshake would be garbage to a TLS client.
            #expect(text.isEmpty, "\(text)")
        } else {
            // One status line, then the close.
            let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2 && lines.last == "", "\(text)")
            #expect(text.hasPrefix(kind == .imap ? "* BYE " : "-ERR "), "\(text)")
        }
        #expect(events.all.count == 1)
        let ended = events.all.contains {
            if case .sessionEnded(kind.accessProtocol, .refused, overTLS: implicitTLS, _) = $0 { true } else { false }
        }
        #expect(ended, "\(events.all)")
        // The refused connection gave back no place it never had: the other one still counts.
        #expect(sessions.connectionCount == 1)
        #expect(sessions.addConnection(from: address, limits: limits) != nil)
        sessions.removeConnection(from: address)
        #expect(sessions.addConnection(from: address, limits: limits) == nil)
        server.close()
    }

    @Test(arguments: Kind.allCases)
    func implicitTLSWithoutACertificateEndsBeforeAnyByte(kind: Kind) async throws {
        let sessions = MailAccessSessionTable()
        let events = EventLog()
        let server = try await Self.start(kind, sessions: sessions, limits: MailAccessLimits(), events: events)
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await server.serve(serverEnd, nil, true) }
        #expect(try await Self.readToEnd(client).isEmpty)
        await serving.value
        await client.close()
        #expect(events.endings == [.tlsFailed])
        #expect(sessions.connectionCount == 0)
        server.close()
    }

    /// The client hangs up after logging in, without LOGOUT or QUIT.
    @Test(arguments: Kind.allCases)
    func aSessionThatEndsGivesBackItsPlaces(kind: Kind) async throws {
        var limits = MailAccessLimits()
        limits.maximumSessionsPerAddress = 1
        limits.maximumSessionsPerUser = 1
        let sessions = MailAccessSessionTable()
        let events = EventLog()
        let server = try await Self.start(kind, sessions: sessions, limits: limits, events: events)
        let address = try #require(InternetAddress("192.0.2.8"))
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await server.serve(serverEnd, address, false) }
        let login = kind == .imap ? "a LOGIN alice pw\r\n" : "USER alice\r\nPASS pw\r\n"
        try await client.write(Array(login.utf8), deadline: .now + .seconds(120))
        // IMAP: the tagged OK; POP3: the greeting's, USER's and PASS's +OK.
        var received = ""
        func loggedIn() -> Bool {
            kind == .imap ? received.contains("\r\na OK ") : received.split(separator: "\r\n").filter { $0.hasPrefix("+OK") }.count >= 3
        }
        while !loggedIn() {
            let bytes = try await client.read(maximumCount: 65_536, deadline: .now + .seconds(120))
            if bytes.isEmpty { break }
            received += String(decoding: bytes, as: UTF8.self)
        }
        #expect(loggedIn(), "\(received)")
        #expect(!received.contains("-ERR") && !received.contains(" NO ") && !received.contains(" BAD "), "\(received)")
        // While the session runs it holds the address's place and the member's.
        #expect(sessions.connectionCount == 1)
        #expect(sessions.sessionCount(userID: "u1") == 1)
        await client.close()
        await serving.value
        #expect(events.endings == [.clientClosed])
        #expect(sessions.connectionCount == 0)
        #expect(sessions.sessionCount(userID: "u1") == 0)
        // The member's session and the maildrop lock are free again.
        #expect(sessions.addSession(userID: "u1", locksMaildrop: true, limits: limits) == nil)
        sessions.removeSession(userID: "u1", locksMaildrop: true)
        server.close()
    }
}
