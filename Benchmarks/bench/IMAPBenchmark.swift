import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess

/// Our IMAP server (MailAccess over an encrypted SQLiteMailbox, every page decrypted) and
/// Dovecot 2.3 (plain Maildir files) in the same run, each holding the same 10,000
/// generated messages (`SyntheticMailCorpus`, 1 KiB to 30 KiB, varied structure): a fresh
/// LOGIN + SELECT INBOX + `UID FETCH 1:* (FLAGS)`, `FETCH 1:1000 BODY.PEEK[]` (MiB/s) and
/// `UID SEARCH TEXT <word>` (200 hits). Plain TCP on loopback for both (the TLS cost is
/// `bench tls`'s business); alternating rounds, the fastest of each kept.
enum IMAPBenchmark {
    static let messageCount = 10_000
    static let rounds = 5

    static func run() async throws {
        print("imap: \(messageCount) messages, ours (encrypted SQLiteMailbox) vs Dovecot 2.3 (Maildir), loopback, plain TCP")
        let messages = SyntheticMailCorpus.dovecotMessages(messageCount)
        let totalBytes = messages.reduce(0) { $0 + $1.bytes.count }
        print("  corpus: \(format(Double(totalBytes) / 1_048_576, 1)) MiB; loading both servers...")
        let dovecot = try await DovecotIMAPServer.start(messages: messages)
        let ours: OurServer
        do {
            ours = try await OurServer.start(messages: messages)
        } catch {
            await dovecot.stop()
            throw error
        }
        do {
            let results = try await measure(ours: ours.port, dovecot: dovecot.port)
            await dovecot.stop()
            await ours.stop()
            printResults(results)
        } catch {
            await dovecot.stop()
            await ours.stop()
            throw error
        }
    }

    /// The best of each measurement for one server.
    struct Measurement {
        var selectAndFlags = Duration.seconds(1_000_000)
        /// LOGIN alone (ours derives the mailbox key from the password: PBKDF2).
        var login = Duration.seconds(1_000_000)
        /// SELECT INBOX alone, and `UID FETCH 1:* (FLAGS)` alone.
        var select = Duration.seconds(1_000_000)
        var flags = Duration.seconds(1_000_000)
        /// The message bytes FETCH 1:1000 BODY.PEEK[] returned (literals only).
        var fetchBytes = 0
        var fetch = Duration.seconds(1_000_000)
        var search = Duration.seconds(1_000_000)
        var searchHits: [String] = []
    }

    static func measure(ours: UInt16, dovecot: UInt16) async throws -> (ours: Measurement, dovecot: Measurement) {
        var mine = Measurement(), theirs = Measurement()
        // One warm-up round each (Dovecot builds its index on the first SELECT), then rounds.
        for round in 0...rounds {
            try await measureOnce(port: dovecot, into: &theirs, keep: round > 0)
            try await measureOnce(port: ours, into: &mine, keep: round > 0)
        }
        guard mine.searchHits == theirs.searchHits, mine.fetchBytes == theirs.fetchBytes else {
            throw BenchmarkFailure(
                "the servers disagree: SEARCH \(mine.searchHits.count) vs \(theirs.searchHits.count) hits, FETCH \(mine.fetchBytes) vs \(theirs.fetchBytes) bytes")
        }
        return (mine, theirs)
    }

    static func measureOnce(port: UInt16, into measurement: inout Measurement, keep: Bool) async throws {
        var start = ContinuousClock.now
        var client = try await IMAPBenchmarkClient.connect(port: port)
        do {
            let loginStart = ContinuousClock.now
            _ = try await client.run("LOGIN \(DovecotIMAPServer.user) \(DovecotIMAPServer.password)")
            let loginTime = ContinuousClock.now - loginStart
            let selectStart = ContinuousClock.now
            _ = try await client.run("SELECT INBOX")
            let flagsStart = ContinuousClock.now
            let flags = try await client.run("UID FETCH 1:* (FLAGS)")
            let end = ContinuousClock.now
            let selectTime = end - start
            guard flags.lines.count == messageCount else { throw BenchmarkFailure("UID FETCH FLAGS gave \(flags.lines.count) responses") }

            start = ContinuousClock.now
            let fetched = try await client.run("FETCH 1:1000 BODY.PEEK[]")
            let fetchTime = ContinuousClock.now - start
            guard fetched.lines.count == 1_000 else { throw BenchmarkFailure("FETCH BODY.PEEK[] gave \(fetched.lines.count) responses") }

            start = ContinuousClock.now
            let search = try await client.run("UID SEARCH TEXT \(SyntheticMailCorpus.rareWord)")
            let searchTime = ContinuousClock.now - start
            let hits = search.lines.first { $0.hasPrefix("* SEARCH") }?.split(separator: " ").dropFirst(2).map(String.init) ?? []
            await client.close()
            guard keep else { return }
            measurement.selectAndFlags = min(measurement.selectAndFlags, selectTime)
            measurement.login = min(measurement.login, loginTime)
            measurement.select = min(measurement.select, flagsStart - selectStart)
            measurement.flags = min(measurement.flags, end - flagsStart)
            measurement.fetch = min(measurement.fetch, fetchTime)
            measurement.fetchBytes = fetched.literalBytes
            measurement.search = min(measurement.search, searchTime)
            measurement.searchHits = hits.sorted()
        } catch {
            await client.close()
            throw error
        }
    }

    static func printResults(_ results: (ours: Measurement, dovecot: Measurement)) {
        let (mine, theirs) = results
        func milliseconds(_ duration: Duration) -> String { "\(format(duration.seconds * 1000, 1)) ms" }
        func mebibytesPerSecond(_ measurement: Measurement) -> Double { Double(measurement.fetchBytes) / 1_048_576 / measurement.fetch.seconds }
        report("LOGIN+SELECT+UID FETCH 1:* (FLAGS), ours", milliseconds(mine.selectAndFlags))
        report("LOGIN+SELECT+UID FETCH 1:* (FLAGS), Dovecot", milliseconds(theirs.selectAndFlags))
        report("ratio ours/Dovecot (time; < 1 is faster)", format(mine.selectAndFlags.seconds / theirs.selectAndFlags.seconds, 2))
        report("  of which LOGIN, ours / Dovecot", "\(milliseconds(mine.login)) / \(milliseconds(theirs.login))")
        report("  SELECT INBOX alone, ours / Dovecot", "\(milliseconds(mine.select)) / \(milliseconds(theirs.select))")
        report("  UID FETCH 1:* (FLAGS) alone, ours / Dovecot", "\(milliseconds(mine.flags)) / \(milliseconds(theirs.flags))")
        report("FETCH 1:1000 BODY.PEEK[], ours", "\(format(mebibytesPerSecond(mine), 1)) MiB/s (\(milliseconds(mine.fetch)))")
        report("FETCH 1:1000 BODY.PEEK[], Dovecot", "\(format(mebibytesPerSecond(theirs), 1)) MiB/s (\(milliseconds(theirs.fetch)))")
        report("ratio ours/Dovecot (MiB/s; > 1 is faster)", format(mebibytesPerSecond(mine) / mebibytesPerSecond(theirs), 2))
        report("UID SEARCH TEXT \(SyntheticMailCorpus.rareWord) (\(mine.searchHits.count) hits), ours", milliseconds(mine.search))
        report("UID SEARCH TEXT \(SyntheticMailCorpus.rareWord), Dovecot", milliseconds(theirs.search))
        report("ratio ours/Dovecot (time; < 1 is faster)", format(mine.search.seconds / theirs.search.seconds, 2))
    }

    /// Our server over an encrypted MailboxStore in a temporary folder, plaintext LOGIN
    /// allowed on loopback.
    struct OurServer {
        let folder: TemporaryDirectory
        let server: IMAPServer
        let running: Task<Void, Never>

        var port: UInt16 { server.localAddress.port }

        static func start(messages: [DovecotIMAPServer.Message]) async throws -> OurServer {
            let folder = try TemporaryDirectory(prefix: "bench-imap")
            let store = try MailboxStore(directory: folder.url)
            let mailbox = try await store.createMailbox(userID: DovecotIMAPServer.user, passphrase: DovecotIMAPServer.password)
            var start = 0
            while start < messages.count {
                let batch = messages[start..<min(start + 1_000, messages.count)].map { message in
                    let flags = MessageFlags.named.filter { message.flags.contains($0.name) }.reduce(into: MessageFlags()) { $0.insert($1.flag) }
                    return MessageToAppend(message.bytes, flags: flags, internalDate: message.internalDate)
                }
                _ = try await mailbox.append(contentsOf: batch, to: "INBOX")
                start += batch.count
            }
            await mailbox.close()
            var configuration = IMAPServer.Configuration(serverName: "bench.test")
            configuration.plaintextAuthentication = .allowedOnLoopback
            let server = try await IMAPServer(
                address: try SocketAddress("127.0.0.1:0"), implicitTLSAddress: nil, configuration: configuration,
                authenticator: MailboxStoreAuthenticator(store: store))
            let running = Task { _ = try? await server.run() }
            return OurServer(folder: folder, server: server, running: running)
        }

        func stop() async {
            server.close()
            await running.value
        }
    }
}
