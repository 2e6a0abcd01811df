import AliasStore
import CommunityMailTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `forward-mx` example running as a child process on a free loopback port, with an
/// alias database made through `SQLiteAliasStore` (ForwarderFixture's users and aliases:
/// example.org's ana@example.org goes to ana@home.example) and SRS on srs.example.net.
/// Stopped with SIGTERM by ``stop()`` (and when released).
final class ForwardMXProcess: Sendable {
    /// The SRS secrets the process gets through `FORWARD_MX_SRS` (first signs).
    static let secrets = ["forward-mx-test-secret-1", "forward-mx-test-secret-0"]

    let folder: TemporaryDirectory
    let process: ChildProcess
    let port: UInt16

    /// The built executable, when `swift build` made it.
    static var executable: URL? { TestPeers.builtExecutable("forward-mx") }

    /// Makes the database and starts `forward-mx --aliases … --listen 127.0.0.1:PORT
    /// --srs-domain srs.example.net --srs-secret-env FORWARD_MX_SRS --server-name
    /// mx.example.net` with `arguments` after them; returns once it accepts connections.
    /// The mail checks (SPF, DKIM, DMARC) ask DNS, so they are off (`--no-mail-auth`)
    /// unless `mailChecks` is set and `arguments` name a loopback `--nameserver`.
    init(_ arguments: [String], mailChecks: Bool = false) async throws {
        let executable = try #require(Self.executable, "forward-mx has not been built (swift build --build-tests)")
        folder = try TemporaryDirectory(prefix: "forward-mx")
        let store = try SQLiteAliasStore(path: folder.path("aliases.sqlite"))
        do {
            try await ForwarderFixture.seed(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        port = try ChildProcess.freePort()
        process = try ChildProcess(executable, [
            "--aliases", folder.path("aliases.sqlite"), "--listen", "127.0.0.1:\(port)", "--srs-domain", "srs.example.net",
            "--srs-secret-env", "FORWARD_MX_SRS", "--server-name", "mx.example.net",
        ] + (mailChecks ? [] : ["--no-mail-auth"]) + arguments, environment: ChildProcess.environment(adding: ["FORWARD_MX_SRS": Self.secrets.joined(separator: ",")]))
        do {
            try await process.waitForTCPPort(port)
        } catch {
            process.stop()
            throw error
        }
    }

    /// `write_bytes` of `/proc/<pid>/io`: what the process has caused to be written to
    /// storage (page cache writes count when they are made, not when they reach the disk).
    func writtenBytes() throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(process.processIdentifier)/io", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("write_bytes:") })
        return try #require(Int(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces)))
    }

    /// `write_bytes` of this test process, after it wrote and closed 64 KiB of new data in
    /// `folder` (and before): shows whether the kernel accounts buffered writes on this
    /// file system, without which a `write_bytes` bound proves nothing.
    static func accountingOfOwnWrite(in folder: TemporaryDirectory) throws -> (before: Int, after: Int) {
        func own() throws -> Int {
            let text = try String(contentsOfFile: "/proc/self/io", encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("write_bytes:") })
            return try #require(Int(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces)))
        }
        let before = try own()
        try Data(repeating: 0x5A, count: 65_536).write(to: folder.url.appendingPathComponent("accounting-probe"))
        return (before, try own())
    }

    /// Sends `signal` (SIGTERM by default) and waits for the exit status.
    func stop(with signal: Int32 = SIGTERM) async -> Int32 {
        process.signal(signal)
        return await process.exited()
    }
}
