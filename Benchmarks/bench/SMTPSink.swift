import CommunityMailTestSupport
import Foundation

/// Postfix's `smtp-sink` on a free loopback port, counting messages (`-c`: its running
/// counters, `mesg=N`, go to its output) and keeping none.
struct SMTPSink {
    let process: ChildProcess
    let port: UInt16

    /// Starts the sink and waits until it accepts connections.
    static func start() async throws -> SMTPSink {
        guard let executable = TestPeers.executable("smtp-sink") else { throw BenchmarkFailure("smtp-sink is not installed") }
        let port = try ChildProcess.freePort()
        // As root it must be told whom to run as; the backlog covers 20 sessions and more.
        let process = try ChildProcess(executable, ["-c", "-u", "nobody", "127.0.0.1:\(port)", "256"])
        do {
            try await process.waitForTCPPort(port)
        } catch {
            process.stop()
            throw error
        }
        return SMTPSink(process: process, port: port)
    }

    /// Messages taken so far: the last `mesg=` counter the sink printed.
    var messages: Int {
        let output = process.output
        guard let range = output.range(of: "mesg=", options: .backwards) else { return 0 }
        return Int(output[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// Waits until the sink has taken `count` messages; fails after 10 minutes without one
    /// more arriving.
    func waitForMessages(_ count: Int) async throws {
        var last = messages
        var lastChange = ContinuousClock.now
        while last < count {
            try await Task.sleep(for: .milliseconds(20))
            let now = messages
            if now != last {
                last = now
                lastChange = .now
            } else if ContinuousClock.now - lastChange > .seconds(600) {
                throw BenchmarkFailure("the sink stopped at \(last) of \(count) messages")
            }
        }
    }

    func stop() { process.stop() }
}
