public import Foundation
import CommunityMailSystem
#if canImport(Glibc)
import CommunityMailCSystem
#endif
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A peer program started by a test, stopped (SIGTERM, then SIGKILL) when released.
///
/// Spawned with `posix_spawn` and reaped with `waitpid` by pid, not with Foundation's
/// `Process`: on Linux that notices a child's exit when a socket the child inherited closes,
/// so a child whose descendants keep running (a daemon such as postsrsd), or a socket another
/// test's child inherited meanwhile, left `waitUntilExit()` waiting forever. The child starts
/// with an empty signal mask and default signal actions, so SIGTERM reaches it.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `status` is read and written with `lock` held.
    private let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?
    private let outputURL: URL

    /// Starts `executable` with `arguments`; its output goes to a log file whose text
    /// ``output`` returns (for failure messages).
    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws {
        outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString).log")
        let log = open(outputURL.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard log >= 0 else { throw PeerError("cannot create the log file \(outputURL.path)") }
        defer { close(log) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        #if canImport(Glibc)
        // Nothing else of this process (other tests' sockets and pipes) reaches the child.
        communitymail_spawn_close_from(&actions, 3)
        #endif

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environment = environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let result = Self.launchLock.withLock {
            posix_spawn(&child, executable.path, &actions, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw PeerError("cannot start \(executable.path): \(String(cString: strerror(result)))")
        }
        pid = child
    }

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

    /// Starts a Foundation `Process`, one launch at a time in this test process (and never
    /// during a ``ChildProcess`` spawn), so no child inherits a descriptor another launch
    /// has open for a moment.
    public static func launch(_ process: Process) throws {
        try launchLock.withLock { try process.run() }
    }

    private static let launchLock = NSLock()

    /// The process's id (for `/proc/<pid>/…`).
    public var processIdentifier: Int32 { pid }

    /// True while the process runs.
    public var isRunning: Bool { reap() == nil }

    /// The exit status (or the signal that ended it), once the process has ended.
    public var terminationStatus: Int32? { reap() }

    /// What the process has written to stdout and stderr so far.
    public var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the process, unless it has ended.
    public func signal(_ signal: Int32) {
        lock.withLock { if status == nil { _ = kill(pid, signal) } }
    }

    /// Waits for the process to exit on ``BlockingWork/executor``, without blocking a
    /// thread of Swift's cooperative pool (tests run in parallel on few cores; a blocked
    /// pool starves every other test).
    @discardableResult
    public func exited() async -> Int32 {
        await BlockingWork.executor.run { () -> Int32 in
            while true {
                if let status = self.reap() { return status }
                usleep(5_000)
            }
        }
    }

    /// Stops the process: SIGTERM, then SIGKILL after 50 ms, and reaps it.
    public func stop() {
        guard reap() == nil else { return }
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(0.05)
        while reap() == nil && Date() < deadline { usleep(2_000) }
        guard reap() == nil else { return }
        signal(SIGKILL)
        while reap() == nil { usleep(1_000) }
    }

    /// The process's status if it has ended (reaping it the first time), else nil.
    private func reap() -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            guard result == pid else { return nil }
            // WIFEXITED: the low seven bits are zero; then the code is in the next byte.
            let signalled = raw & 0x7f
            let ended = signalled == 0 ? (raw >> 8) & 0xff : signalled
            status = ended
            return ended
        }
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`.
    /// - Throws: `PeerError` with the process's output when it does not within `timeout`.
    public func waitForTCPPort(_ port: UInt16, timeout: Duration = .seconds(90)) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if let status = terminationStatus {
                throw PeerError("peer exited with status \(status) before listening on \(port):\n\(output)")
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

