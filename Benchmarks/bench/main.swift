// `swift run -c release bench <name>`: each benchmark prints its figures beside a baseline
// measured in the same run, as a ratio. Nothing here asserts a time.
import Foundation

/// Every benchmark by name, with a one-line summary for `bench --list`.
let benchmarks: [(name: String, summary: String, run: () async throws -> Void)] = [
    ("crypto", "ChaCha20+Poly1305 on 4 KiB pages and PBKDF2: our wrappers vs libcrypto called directly", CryptoBenchmark.run),
    ("mailbox", "10,000 appends of ~20 KiB, header and body search, fetch 1,000: standard opener vs plain file", MailboxBenchmark.run),
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
