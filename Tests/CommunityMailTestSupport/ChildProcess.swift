public import Foundation
import CommunityMailSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A peer program started by a test, stopped (SIGTERM, then SIGKILL) when released.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched in init and stop, which serialise on `lock`.
    private let process: Process
    private let lock = NSLock()
    private let outputURL: URL

    /// Starts `executable` with `arguments`; its output goes to a log file whose text
    /// ``output`` returns (for failure messages).
    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                workingDirectory: URL? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw PeerError("cannot create the log file \(outputURL.path)")
        }
        let handle = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try Self.launch(process)
        self.process = process
    }

    /// Starts `process`, one launch at a time in this test process: Foundation's
    /// `Process.run()` on Linux has crashed (a bad pointer copied while spawning) when
    /// several tests launched peers at once.
    public static func launch(_ process: Process) throws {
        launchLock.lock()
        defer { launchLock.unlock() }
        try process.run()
    }

    private static let launchLock = NSLock()

    deinit {
        stop()
        try? FileManager.default.removeItem(at: outputURL)
    }

    /// Runs `executable` to its end, waiting without blocking a cooperative thread.
    /// - Returns: its exit status and what it wrote to stdout and stderr, together.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let status = await child.exited()
        return (status, child.output)
    }

    /// This test process's environment with `extra` set on top, for a child's.
    public static func environment(adding extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    }

    /// True while the process runs.
    public var isRunning: Bool { process.isRunning }

    /// What the process has written to stdout and stderr so far.
    public var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the process.
    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit on ``BlockingWork/executor``, without blocking a
    /// thread of Swift's cooperative pool (tests run in parallel on few cores; a blocked
    /// pool starves every other test).
    @discardableResult
    public func exited() async -> Int32 {
        await BlockingWork.executor.run { () -> Int32 in
            self.process.waitUntilExit()
            return self.process.terminationStatus
        }
    }

    /// Stops the process: SIGTERM, then SIGKILL after 50 ms.
    ///
    /// Children started by Foundation's `Process` here inherit a signal mask that blocks
    /// SIGTERM, so the kill is what usually ends them; the wait is kept short because
    /// callers (`defer` blocks of async tests) hold a thread of the cooperative pool meanwhile.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(0.05)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`.
    /// - Throws: `PeerError` with the process's output when it does not within `timeout`.
    public func waitForTCPPort(_ port: UInt16, timeout: Duration = .seconds(90)) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if !process.isRunning {
                throw PeerError("peer exited with status \(process.terminationStatus) before listening on \(port):\n\(output)")
            }
            if Self.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        // A starved test task may wake only after the deadline: look once more before failing.
        if Self.canConnect(port: port) { return }
        throw PeerError("peer did not listen on port \(port) within \(timeout):\n\(output)")
    }

    /// True when a TCP connection to 127.0.0.1:`port` succeeds.
    public static func canConnect(port: UInt16) -> Bool {
        let fd = TestSocket.tcpIPv4()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A free TCP port on 127.0.0.1 for a peer to listen on: drawn at random below the
    /// kernel's ephemeral range and checked by binding it. A port from the ephemeral range
    /// (what binding port 0 gives) can be handed to another test's outgoing connection
    /// between this check and the peer's own bind; one below it cannot, and no port is
    /// handed out twice by this process.
    public static func freePort() throws -> UInt16 {
        let (low, high) = portRangeBelowEphemeral()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let port = UInt16.random(in: low...high, using: &generator)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if canBind(port) { return port }
        }
        throw PeerError("no free port below the ephemeral range")
    }

    /// Ports `freePort()` returned so far in this process.
    private static let handedOut = Mutex<Set<UInt16>>([])

    /// 10000 up to the first port of `ip_local_port_range` (default 32768), less one.
    private static func portRangeBelowEphemeral() -> (UInt16, UInt16) {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { UInt16($0) } ?? 32768
        return (10_000, max(10_100, first) - 1)
    }

    /// Whether a TCP socket can bind `port` on 127.0.0.1 now (then released).
    private static func canBind(_ port: UInt16) -> Bool {
        let fd = TestSocket.tcpIPv4()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A peer could not be started or did not behave.
public struct PeerError: Error, CustomStringConvertible {
    /// What happened, with the peer's output.
    public let description: String
    /// An error with `description`.
    public init(_ description: String) { self.description = description }
}

