// `swift run -c release bench <name>`: each benchmark prints its figures beside a baseline
// measured in the same run, as a ratio. Nothing here asserts a time.
import CommunityMailSystem
import Foundation

/// Every benchmark by name, with a one-line summary for `bench --list`.
let benchmarks: [(name: String, summary: String, run: () async throws -> Void)] = [
    ("crypto", "ChaCha20+Poly1305 on 4 KiB pages and PBKDF2: our wrappers vs libcrypto called directly", CryptoBenchmark.run),
    ("kdf", "PBKDF2-HMAC-SHA256, 64007 iterations (one LOGIN): ours vs PKCS5_PBKDF2_HMAC vs hashlib, and the SHA-256 floor", KDFBenchmark.run),
    ("aliases", "1M aliases on 1,000 domains in SQLite: resolve() vs a bare indexed SELECT", AliasesBenchmark.run),
    ("launchpad", "10,000-member team over loopback, 50 ms per request: concurrent pages vs next links", LaunchpadBenchmark.run),
    ("dns", "A lookups per second against NSD on loopback: DNSStubResolver vs dnspython", DNSBenchmark.run),
    ("openid", "verifications/s of associated OpenID 2.0 assertions: OpenIDAuth vs python3-openid's consumer", OpenIDBenchmark.run),
    ("encrypted-sqlite", "20,000 rows of 4 KiB inserted and read back: plain SQLite vs the encrypting VFS", EncryptedSQLiteBenchmark.run),
    ("sync", "re-sync of 5,000 members over 6 domains with the fakes: 8 at a time vs one at a time", SyncBenchmark.run),
    ("tls", "TLSStream over loopback TCP: bulk MiB/s and TLS 1.3 sessions/s vs the bare TCPConnection", TLSBenchmark.run),
    ("forward", "smtp-source -s 20 -m 10000 -l 5120 to smtp-sink: ForwarderServer vs Postfix + postsrsd as the forwarder", ForwardBenchmark.run),
    ("mail-auth", "DKIM verifications/s of 1,000 messages (rsa-sha256 2048, ed25519), keys given directly: ours vs dkimpy", MailAuthBenchmark.run),
    ("mailbox", "10,000 appends of ~20 KiB, header and body search, fetch 1,000: standard opener vs plain file", MailboxBenchmark.run),
    ("imap", "10,000 messages: LOGIN+SELECT+UID FETCH FLAGS, FETCH 1,000 BODY[] MiB/s, UID SEARCH TEXT: ours vs Dovecot", IMAPBenchmark.run),
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "--list", name != "--help" else {
    print("usage: bench <name>\n")
    for benchmark in benchmarks { print("  \(benchmark.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(benchmark.summary)") }
    exit(arguments.isEmpty ? 2 : 0)
}
guard let benchmark = benchmarks.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("bench: no benchmark called \(name); `bench --list` names them\n".utf8))
    exit(2)
}
#if DEBUG
print("warning: a debug build; run `swift run -c release bench \(name)` for meaningful figures")
#endif
do {
    try await benchmark.run()
} catch {
    FileHandle.standardError.write(Data("bench \(name) failed: \(error)\n".utf8))
    exit(1)
}
