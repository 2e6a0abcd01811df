import CommunityMailTestSupport
import Foundation

/// postsrsd (1.x, Postfix's tcp_table on two loopback ports) in the foreground with its own
/// secret file, for Postfix's sender_canonical_maps and recipient_canonical_maps.
struct PostSRSDDaemon {
    let process: ChildProcess
    let folder: TemporaryDirectory
    let forwardPort: UInt16
    let reversePort: UInt16

    /// Starts postsrsd for `domain` signing with `secret`, and waits for both ports.
    static func start(domain: String, secret: String) async throws -> PostSRSDDaemon {
        guard let executable = TestPeers.executable("postsrsd") else { throw BenchmarkFailure("postsrsd is not installed") }
        let folder = try TemporaryDirectory(prefix: "bench-postsrsd")
        try Data((secret + "\n").utf8).write(to: folder.url.appendingPathComponent("secret"))
        let forwardPort = try ChildProcess.freePort()
        let reversePort = try ChildProcess.freePort()
        let process = try ChildProcess(executable, [
            "-s", folder.path("secret"), "-d", domain, "-l", "127.0.0.1", "-4",
            "-f", String(forwardPort), "-r", String(reversePort), "-p", folder.path("postsrsd.pid"),
        ])
        do {
            try await process.waitForTCPPort(forwardPort)
            try await process.waitForTCPPort(reversePort)
        } catch {
            process.stop()
            throw error
        }
        return PostSRSDDaemon(process: process, folder: folder, forwardPort: forwardPort, reversePort: reversePort)
    }

    func stop() { process.stop() }
}
