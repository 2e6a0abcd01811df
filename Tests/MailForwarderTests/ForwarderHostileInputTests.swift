import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Synchronization
import Testing

/// ForwarderServer on a loopback port under hostile clients, over raw TCP and TLS:
/// smuggled message ends, commands pipelined across STARTTLS, sessions dropped by the
/// thousand, the error limit, the minor commands, and the server-wide memory budget for
/// messages. Each session gets its reply or is closed, and the server keeps serving.
@Suite("ForwarderServer under hostile input")
struct ForwarderHostileInputTests {
    static let message = "From: Alice <alice@origin.example>\r\nSubject: hello\r\n\r\nbody\r\n"

    /// Runs `fixture`'s server while `body` runs, and stops it afterwards.
    func serving<T>(_ fixture: ForwarderFixture, _ body: () async throws -> T) async throws -> T {
        let server = fixture.server
        let running = Task { try await server.run() }
        defer {
            server.close()
            running.cancel()
        }
        return try await body()
    }

    /// A TCP connection to the fixture's server, past its greeting.
    func connect(_ fixture: ForwarderFixture) async throws -> TestSMTPClient {
        let connection = try await TCPConnection.connect(to: fixture.server.localAddress, deadline: .now + .seconds(120))
        var client = TestSMTPClient(stream: connection)
        let greeting = try await client.reply()
        #expect(greeting.hasPrefix("220 "), "\(greeting)")
        return client
    }

    /// After EHLO, upgrades `client` with STARTTLS, trusting `authority`; returns the
    /// client over TLS (not yet greeted again).
    func startTLS(_ client: inout TestSMTPClient, authority: String) async throws -> TestSMTPClient {
        #expect(TestSMTPClient.status(try await client.send("STARTTLS")) == "220 2.0.0")
        var tls = TLSClientConfiguration(serverName: "127.0.0.1")
        tls.trustedCertificateAuthorityFile = authority
        let stream = try await TLSStream.connect(over: client.stream, configuration: tls, deadline: .now + .seconds(120))
        return TestSMTPClient(stream: stream)
    }

    /// A fixture offering STARTTLS with a certificate from a fresh test authority.
    func tlsFixture() async throws -> (ForwarderFixture, TestCertificates) {
        let certificates = try await TestCertificates.makeAuthority()
        let (chain, key) = try await certificates.makeLeaf("forwarder-hostile")
        let fixture = try await ForwarderFixture {
            $0.tls = ForwarderServer.TLSFiles(certificateChainFile: chain, privateKeyFile: key)
        }
        return (fixture, certificates)
    }

    // MARK: - Smuggling

    /// Line ends a lenient receiver could take for the end of DATA: each is followed by a
    /// whole second transaction, then by the real end.
    static let smugglingShapes: [String] = [
        "\r\n.\n", "\n.\r\n", "\r.\r\n", "\n.\n", "\r\n.\r", "\r.\r", "\n\n.\n\n", "\r\n.\r\r\n", "\r\n\n.\r\n",
    ]

    /// Sends a message with `shape` and a smuggled transaction behind it; returns the
    /// statuses of every reply up to a NOOP's (a second message taken would add replies).
    static func smuggle(_ shape: String, over client: inout TestSMTPClient) async throws -> [String] {
        var statuses = try await client.begin(from: "alice@origin.example", to: ["ana@example.org"])
        statuses.append(TestSMTPClient.status(try await client.send("DATA")))
        let smuggled = "Subject: first\r\n\r\nfirst part" + shape
            + "MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<ana@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nsecond\r\n.\r\n"
        try await client.write(Array(smuggled.utf8))
        try await client.write(Array("NOOP\r\n".utf8))
        while true {
            let reply = try await client.reply()
            guard !reply.isEmpty else { return statuses + ["closed"] }
            statuses.append(TestSMTPClient.status(reply))
            if reply.hasPrefix("250 2.0.0 OK") { return statuses }
        }
    }

    @Test("Smuggled DATA ends over raw TCP: one 550 5.6.11 for the whole, the smuggled commands are message text, nothing relayed, the session goes on",
          arguments: smugglingShapes)
    func smugglingOverTCP(shape: String) async throws {
        let fixture = try await ForwarderFixture()
        try await serving(fixture) {
            var client = try await connect(fixture)
            let statuses = try await Self.smuggle(shape, over: &client)
            #expect(statuses == ["250 2.1.5", "354", "550 5.6.11", "250 2.0.0"], "\(shape.debugDescription)")
            #expect(fixture.relay.envelopes.isEmpty)
            // The same session then delivers a clean message, and only that one.
            _ = try await client.send("MAIL FROM:<alice@origin.example>")
            _ = try await client.send("RCPT TO:<ana@example.org>")
            #expect(try await client.data(Self.message) == "250 2.0.0")
            #expect(fixture.relay.envelopes.count == 1)
            let relayed = String(decoding: try #require(fixture.relay.envelopes.first).content, as: UTF8.self)
            #expect(!relayed.contains("smuggled"))
            #expect(!relayed.contains("first part"))
            await client.stream.close()
        }
    }

    @Test("Smuggled DATA ends inside TLS get the same 550 5.6.11 and nothing is relayed",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func smugglingOverTLS() async throws {
        let (fixture, certificates) = try await tlsFixture()
        try await serving(fixture) {
            var plain = try await connect(fixture)
            _ = try await plain.send("EHLO client.example")
            var client = try await startTLS(&plain, authority: certificates.authority)
            for shape in ["\r\n.\n", "\n.\r\n", "\r.\r\n"] {
                _ = try await client.send("EHLO client.example")
                let statuses = try await Self.smuggle(shape, over: &client)
                #expect(Array(statuses.suffix(2)) == ["550 5.6.11", "250 2.0.0"], "\(shape.debugDescription)")
            }
            #expect(fixture.relay.envelopes.isEmpty)
            await client.stream.close()
        }
    }

    // MARK: - STARTTLS

    @Test("Commands pipelined behind STARTTLS in the same packet are discarded: inside TLS only what is sent there is answered, and EHLO comes first again",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func pipelinedAcrossStartTLS() async throws {
        let (fixture, certificates) = try await tlsFixture()
        try await serving(fixture) {
            var plain = try await connect(fixture)
            #expect(try await plain.send("EHLO client.example").contains("STARTTLS"))
            // One write, one packet: STARTTLS and an injected transaction behind it.
            try await plain.write(Array("STARTTLS\r\nMAIL FROM:<injected@attacker.example>\r\nRCPT TO:<ana@example.org>\r\n".utf8))
            #expect(TestSMTPClient.status(try await plain.reply()) == "220 2.0.0")
            var tls = TLSClientConfiguration(serverName: "127.0.0.1")
            tls.trustedCertificateAuthorityFile = certificates.authority
            var client = TestSMTPClient(
                stream: try await TLSStream.connect(over: plain.stream, configuration: tls, deadline: .now + .seconds(120)))
            // Had the injected MAIL and RCPT been kept, their replies would come first.
            #expect(try await client.send("NOOP").hasPrefix("250 2.0.0 OK"))
            #expect(TestSMTPClient.status(try await client.send("MAIL FROM:<alice@origin.example>")) == "503 5.5.1")
            #expect(TestSMTPClient.status(try await client.send("DATA")) == "503 5.5.1")
            let ehlo = try await client.send("EHLO client.example")
            #expect(ehlo.hasPrefix("250-") && !ehlo.contains("STARTTLS"))
            #expect(TestSMTPClient.status(try await client.send("STARTTLS")) == "502 5.5.1")
            #expect(try await client.begin(from: "alice@origin.example", to: ["ana@example.org"]) == ["250 2.1.5"])
            #expect(try await client.data(Self.message) == "250 2.0.0")
            let envelopes = fixture.relay.envelopes
            #expect(envelopes.count == 1)
            let envelope = try #require(envelopes.first)
            #expect(!envelope.sender.contains("attacker"))
            let head = String(decoding: envelope.content.prefix(80), as: UTF8.self)
            #expect(head.contains("with ESMTPS;"))
            await client.stream.close()
        }
    }

    @Test("Plaintext commands arriving after STARTTLS's 220, before the handshake, end that session; the server keeps serving",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func plaintextAfterStartTLS() async throws {
        let (fixture, _) = try await tlsFixture()
        try await serving(fixture) {
            var plain = try await connect(fixture)
            _ = try await plain.send("EHLO client.example")
            #expect(TestSMTPClient.status(try await plain.send("STARTTLS")) == "220 2.0.0")
            try await plain.write(Array("MAIL FROM:<injected@attacker.example>\r\nRCPT TO:<ana@example.org>\r\n".utf8))
            // Whatever the TLS layer says (an alert, or nothing), no SMTP reply comes, and the
            // connection ends.
            var received: [UInt8] = []
            while let bytes = try? await plain.stream.read(maximumCount: 4_096, deadline: .now + .seconds(120)), !bytes.isEmpty {
                received += bytes
            }
            #expect(!String(decoding: received, as: UTF8.self).contains("250"))
            await plain.stream.close()
            var next = try await connect(fixture)
            #expect(TestSMTPClient.status(try await next.send("NOOP")) == "250 2.0.0")
            await next.stream.close()
        }
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("200 sessions dropped during STARTTLS (right after the 220, after half a ClientHello, after plaintext garbage): each ends, descriptors and sessions are back, the server still serves",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func droppedDuringHandshake() async throws {
        let (fixture, certificates) = try await tlsFixture()
        try await serving(fixture) {
            let address = fixture.server.localAddress
            var warm = try await connect(fixture)
            _ = try await warm.send("EHLO client.example")
            var upgraded = try await startTLS(&warm, authority: certificates.authority)
            #expect(TestSMTPClient.status(try await upgraded.send("NOOP")) == "250 2.0.0")
            await upgraded.stream.close()
            try await waitUntil("the warm-up session ended") { fixture.server.sessionCount == 0 }
            let port = fixture.server.localAddress.port
            // The listener alone.
            #expect(Self.descriptors(onPort: port) == 1)
            // A TLS record header announcing a ClientHello of 512 octets, and only 4 of them.
            let halfHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in stride(from: worker, to: 200, by: 8) {
                            let connection = try await TCPConnection.connect(to: address, deadline: .now + .seconds(120))
                            var client = TestSMTPClient(stream: connection)
                            _ = try? await client.reply()
                            _ = try? await client.send("EHLO dropper.example")
                            _ = try? await client.send("STARTTLS")
                            switch index % 3 {
                            case 0: break
                            case 1: try? await client.write(halfHello)
                            default: try? await client.write(Array("MAIL FROM:<a@b.example>\r\n".utf8))
                            }
                            await connection.close()
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await waitUntil("every session ended") { fixture.server.sessionCount == 0 }
            var after = try await connect(fixture)
            _ = try await after.send("EHLO client.example")
            var tls = try await startTLS(&after, authority: certificates.authority)
            _ = try await tls.send("EHLO client.example")
            #expect(TestSMTPClient.status(try await tls.send("NOOP")) == "250 2.0.0")
            await tls.stream.close()
            try await waitUntil("every session ended") { fixture.server.sessionCount == 0 }
            #expect(Self.descriptors(onPort: port) == 1)
        }
        #expect(fixture.relay.envelopes.isEmpty)
    }

    // MARK: - Errors and minor commands

    @Test("Ten refused commands: nine 500 5.5.2, then 421 4.7.0 and the connection closes; others are served")
    func errorLimit() async throws {
        let fixture = try await ForwarderFixture()
        try await serving(fixture) {
            var client = try await connect(fixture)
            var statuses: [String] = []
            for _ in 0..<10 { statuses.append(TestSMTPClient.status(try await client.send("XYZZY"))) }
            #expect(statuses == Array(repeating: "500 5.5.2", count: 9) + ["421 4.7.0"])
            #expect(try await client.reply() == "")
            await client.stream.close()
            var next = try await connect(fixture)
            #expect(TestSMTPClient.status(try await next.send("NOOP")) == "250 2.0.0")
            await next.stream.close()
        }
    }

    @Test("The error limit is the configuration's; accepted commands do not count, refused ones of any kind do")
    func configuredErrorLimit() async throws {
        let fixture = try await ForwarderFixture { $0.maximumErrors = 3 }
        try await serving(fixture) {
            var client = try await connect(fixture)
            var statuses: [String] = []
            for command in ["MAIL FROM:<a@b.example>", "NOOP", "EHLO client.example", "RCPT TO:<ana@example.org>", "VRFY ana", "MAIL FROM:bad"] {
                statuses.append(TestSMTPClient.status(try await client.send(command)))
            }
            #expect(statuses == ["503 5.5.1", "250 2.0.0", "250", "503 5.5.1", "252 2.5.0", "421 4.7.0"])
            #expect(try await client.reply() == "")
            await client.stream.close()
        }
    }

    @Test("RSET, NOOP, VRFY (252), HELO, EXPN (502), HELP (214) and unknown commands (500 5.5.2) over TCP")
    func minorCommands() async throws {
        let fixture = try await ForwarderFixture()
        try await serving(fixture) {
            var client = try await connect(fixture)
            var statuses: [String] = []
            for command in [
                "HELP", "HELO client.example", "NOOP", "VRFY ana@example.org", "EXPN team@example.org", "FROB", "MAIL FROM:<alice@origin.example>",
                "RCPT TO:<ana@example.org>", "RSET", "DATA", "MAIL FROM:<alice@origin.example>", "QUIT",
            ] {
                statuses.append(TestSMTPClient.status(try await client.send(command)))
            }
            #expect(statuses == [
                "214 2.0.0", "250 mx.example.net", "250 2.0.0", "252 2.5.0", "502 5.5.1", "500 5.5.2", "250 2.1.0", "250 2.1.5", "250 2.0.0", "503 5.5.1",
                "250 2.1.0", "221 2.0.0",
            ])
            #expect(try await client.reply() == "")
            await client.stream.close()
        }
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("MAIL-time checks: a sender SRS cannot carry (quoted local part, address literal, backslash) gets 553 5.1.7 at MAIL, before any data; the null sender and our own domains pass")
    func senderCheckedAtMail() async throws {
        let fixture = try await ForwarderFixture()
        try await serving(fixture) {
            var client = try await connect(fixture)
            _ = try await client.send("EHLO client.example")
            var statuses: [String] = []
            for sender in ["\"alice\"@origin.example", "alice@[192.0.2.1]", "al\\ice@origin.example"] {
                statuses.append(TestSMTPClient.status(try await client.send("MAIL FROM:<\(sender)>")))
            }
            #expect(statuses == ["553 5.1.7", "553 5.1.7", "553 5.1.7"])
            // Refused, no transaction is open: RCPT is out of sequence.
            #expect(TestSMTPClient.status(try await client.send("RCPT TO:<ana@example.org>")) == "503 5.5.1")
            for sender in ["", "bob@example.org", "alice@origin.example"] {
                #expect(TestSMTPClient.status(try await client.send("MAIL FROM:<\(sender)>")) == "250 2.1.0", "\(sender)")
                _ = try await client.send("RSET")
            }
            await client.stream.close()
        }
        #expect(fixture.relay.envelopes.isEmpty)
    }

    // MARK: - Many dropped sessions

    /// The open descriptors of this process that are TCP sockets with `port` at one end:
    /// the server's listener and connections and our clients' ends, whatever other suites
    /// in this process hold meanwhile (found through `/proc/self/fd`'s socket inodes in
    /// the kernel's TCP tables).
    static func descriptors(onPort port: UInt16) -> Int {
        let ours = TCPSocketTable.socketInodes()
        return TCPSocketTable.sockets().filter { ours.contains($0.inode) && ($0.localPort == port || $0.remotePort == port) }.count
    }

    /// One dropped session of kind `kind`: closed at once (0), after EHLO (1), mid-DATA
    /// (2), or after pipelining commands without reading a reply (3). Only the connection
    /// must succeed: what the server does with a client that leaves is its own business.
    static func drop(kind: Int, at address: SocketAddress) async throws {
        let connection = try await TCPConnection.connect(to: address, deadline: .now + .seconds(120))
        var client = TestSMTPClient(stream: connection)
        switch kind {
        case 0:
            break
        case 1:
            _ = try? await client.reply()
            _ = try? await client.send("EHLO dropper.example")
        case 2:
            _ = try? await client.reply()
            _ = try? await client.begin(from: "alice@origin.example", to: ["ana@example.org"])
            _ = try? await client.send("DATA")
            try? await client.write(Array("Subject: cut short\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 2_000))
        default:
            try? await client.write(Array("EHLO dropper.example\r\nMAIL FROM:<alice@origin.example>\r\nRCPT TO:<ana@example.org>\r\n".utf8))
        }
        await connection.close()
    }

    @Test("10,000 sessions opened and dropped (at once, after EHLO, mid-DATA, pipelined) while others complete transactions: the server still serves, every session ended, descriptors and message memory are back")
    func thousandsDropped() async throws {
        let fixture = try await ForwarderFixture {
            $0.listener.maximumConnectionsPerAddress = 512
            $0.listener.maximumConnections = 512
        }
        try await serving(fixture) {
            let address = fixture.server.localAddress
            // Warm up (the first session loads what stays loaded), then take the baseline.
            var warm = try await connect(fixture)
            _ = try await warm.send("QUIT")
            await warm.stream.close()
            try await waitUntil("the warm-up session ended") { fixture.server.sessionCount == 0 }
            let port = fixture.server.localAddress.port
            // The listener alone.
            #expect(Self.descriptors(onPort: port) == 1)

            let stormEnded = Mutex(false)
            let storm = Task {
                defer { stormEnded.withLock { $0 = true } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let workers = 16, total = 10_000
                    for worker in 0..<workers {
                        group.addTask {
                            for index in stride(from: worker, to: total, by: workers) {
                                // 40% close at once, 20% each after EHLO, mid-DATA, pipelined.
                                let kind = index % 10 < 4 ? 0 : (index % 10 - 4) / 2 + 1
                                try await Self.drop(kind: kind, at: address)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Meanwhile one session completes transaction after transaction.
            var client = try await connect(fixture)
            _ = try await client.send("EHLO client.example")
            var delivered = 0
            while delivered < 3 || !stormEnded.withLock({ $0 }) {
                _ = try await client.send("MAIL FROM:<alice@origin.example>")
                _ = try await client.send("RCPT TO:<ana@example.org>")
                #expect(try await client.data(Self.message) == "250 2.0.0")
                delivered += 1
            }
            try await storm.value
            _ = try await client.send("QUIT")
            await client.stream.close()

            // Afterwards: a fresh session is served, every session has ended, nothing leaks.
            var after = try await connect(fixture)
            _ = try await after.begin(from: "alice@origin.example", to: ["ana@example.org"])
            #expect(try await after.data(Self.message) == "250 2.0.0")
            _ = try await after.send("QUIT")
            await after.stream.close()
            try await waitUntil("every session ended") { fixture.server.sessionCount == 0 }
            #expect(fixture.server.messageBytesInMemory == 0)
            #expect(fixture.relay.envelopes.count == delivered + 1)
            #expect(Self.descriptors(onPort: port) == 1)
        }
    }
}
