import AliasStore
import CommunityMailSMTP
import CommunityMailSystem
import MailForwarder

/// A forwarder for example.org (and ubuntu.test, pending.test) in memory: an alias store
/// with the standard users and aliases, SRS on srs.example.net, a RecordingRelay.
struct ForwarderFixture {
    static let sync = ChangeActor.sync("test")
    let store: InMemoryAliasStore
    let srs: SRSRewriter
    let relay = RecordingRelay()
    let server: ForwarderServer

    /// `change` adjusts the server's configuration (serverName is mx.example.net); `hop`
    /// replaces the RecordingRelay as the next hop.
    init(hop: (any RelayHop)? = nil, _ change: (inout ForwarderServer.Configuration) -> Void = { _ in }) async throws {
        store = InMemoryAliasStore()
        var srsConfiguration = SRSRewriter.Configuration(domain: "srs.example.net", secrets: ["forwarder-test-secret"])
        srsConfiguration.localDomains = ["example.org", "ubuntu.test"]
        srs = try SRSRewriter(configuration: srsConfiguration)
        try await Self.seed(store)
        var configuration = ForwarderServer.Configuration(serverName: "mx.example.net")
        change(&configuration)
        server = try await ForwarderServer(
            address: try SocketAddress("127.0.0.1:0"), configuration: configuration,
            policy: AliasRecipientPolicy(aliases: store, srs: srs), relay: hop ?? relay, srs: srs)
    }

    /// Users ada, bob, carol (banned); example.org and ubuntu.test verified, pending.test not.
    static func seed(_ store: some AliasStore) async throws {
        _ = try await store.saveUser(User(id: "ada", email: "ada@home.example"), by: sync)
        _ = try await store.saveUser(User(id: "bob", email: "bob@home.example"), by: sync)
        _ = try await store.saveUser(User(id: "carol", email: "carol@home.example"), by: sync)
        for name in ["example.org", "ubuntu.test", "pending.test"] {
            _ = try await store.createDomain(name, plan: .team, verificationToken: nil, by: sync)
            _ = try await store.setMember("ada", role: .admin, onDomain: name, by: sync)
            _ = try await store.setMember("bob", role: .user, onDomain: name, by: sync)
            _ = try await store.setMember("carol", role: .user, onDomain: name, by: sync)
        }
        _ = try await store.recordVerification(domain: "example.org", verified: true, by: sync)
        _ = try await store.recordVerification(domain: "ubuntu.test", verified: true, by: sync)
        func add(_ name: String, _ domain: String = "example.org", owner: String = "bob", to recipients: [String], enabled: Bool = true)
            async throws {
            _ = try await store.createAlias(
                NewAlias(name: name, domain: domain, owner: owner, recipients: recipients, enabled: enabled), by: .person("ada"))
        }
        try await add("ana", to: ["ana@home.example"])
        try await add("team", to: ["ana@home.example", "bob@home.example", "ana@home.example"])
        try await add("slow", to: ["slow@home.example"])
        try await add("deferred", to: ["defer@home.example"])
        try await add("parked", to: ["parked@home.example"], enabled: false)
        try await add("carol", owner: "carol", to: ["carol@home.example"])
        try await add("pending", "pending.test", to: ["pending@home.example"])
        try await add("loop-a", to: ["loop-b@example.org"])
        try await add("loop-b", to: ["loop-a@example.org"])
        _ = try await store.saveUser(User(id: "carol", email: "carol@home.example", banned: true), by: sync)
    }

    /// Runs one session over an in-memory pipe while `body` talks to it.
    func session<T: Sendable>(_ body: (inout TestSMTPClient) async throws -> T) async throws -> T {
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await server.serve(serverEnd) }
        var smtp = TestSMTPClient(stream: client)
        let result: T
        do {
            _ = try await smtp.reply()  // greeting
            result = try await body(&smtp)
        } catch {
            await client.close()
            await serving.value
            throw error
        }
        await client.close()
        await serving.value
        return result
    }
}

/// A minimal SMTP client for tests: sends lines, reads whole replies.
struct TestSMTPClient {
    let stream: any ByteStream
    var buffer: [UInt8] = []

    /// The next whole reply, its lines joined with "\n"; "" once the server closed.
    mutating func reply() async throws -> String {
        while true {
            if let end = Self.replyEnd(in: buffer) {
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(..<end)
                return text.split(separator: "\r\n").joined(separator: "\n")
            }
            let bytes = try await stream.read(maximumCount: 65_536, deadline: .now + .seconds(120))
            if bytes.isEmpty { return "" }
            buffer += bytes
        }
    }

    /// Sends `line` with CRLF and returns the reply.
    mutating func send(_ line: String) async throws -> String {
        try await write(Array((line + "\r\n").utf8))
        return try await reply()
    }

    /// Writes raw bytes.
    func write(_ bytes: [UInt8]) async throws {
        try await stream.write(bytes, deadline: .now + .seconds(120))
    }

    /// The offset just past the first complete reply (its last line has a space after the code).
    static func replyEnd(in buffer: [UInt8]) -> Int? {
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[start..<newline]
            if line.count >= 4, line[line.startIndex + 3] != UInt8(ascii: "-") { return newline + 1 }
            start = newline + 1
        }
        return nil
    }

    /// "CODE X.Y.Z" of a reply's last line (or the code alone when it has no enhanced code).
    static func status(_ reply: String) -> String {
        let last = reply.split(separator: "\n").last.map(String.init) ?? ""
        let words = last.split(separator: " ", maxSplits: 2)
        guard words.count >= 2, words[1].contains(".") else { return String(last.prefix(3)) }
        return "\(words[0]) \(words[1])"
    }

    /// EHLO, MAIL FROM, RCPT TO for each recipient; returns the RCPT statuses.
    mutating func begin(from sender: String, to recipients: [String]) async throws -> [String] {
        _ = try await send("EHLO client.example")
        let mail = try await send("MAIL FROM:<\(sender)>")
        guard mail.hasPrefix("250") else { return [Self.status(mail)] }
        var statuses: [String] = []
        for recipient in recipients { statuses.append(Self.status(try await send("RCPT TO:<\(recipient)>"))) }
        return statuses
    }

    /// DATA with `content` (CRLF lines, dot-stuffed here) and the final dot; the status of
    /// the reply after the message.
    mutating func data(_ content: String) async throws -> String {
        let go = try await send("DATA")
        guard go.hasPrefix("354") else { return Self.status(go) }
        var stuffed = content.split(separator: "\r\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        if stuffed.last == "" { stuffed.removeLast() }
        try await write(Array((stuffed.joined(separator: "\r\n") + "\r\n.\r\n").utf8))
        return Self.status(try await reply())
    }
}
