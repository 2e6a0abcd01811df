public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// NSD, the authoritative DNS server from Debian's `nsd` package, started on a free
/// loopback port (127.0.0.1 and optionally ::1, UDP and TCP) to serve zones given as
/// zone-file text.
///
/// Everything it writes (configuration, zone files, pid, transfer state, log) lives in a
/// temporary directory removed when the server is released; it runs in the foreground
/// as the current user, without chroot or a zone database, so no system state is touched.
///
/// It is spawned directly (not through `Process`) with an empty signal mask in a process
/// group of its own: a child of a Swift test inherits a mask that blocks SIGTERM, and NSD
/// forks helpers; this way ``stop()`` ends all of them with SIGTERM and reaps them.
public final class LocalDNSServer: Sendable {
    /// The port it answers on, UDP and TCP.
    public let port: UInt16
    private let directory: TemporaryDirectory
    private let pid: pid_t

    /// The `nsd` executable, if installed.
    public static var executable: URL? { TestPeers.executable("nsd") }

    /// Starts NSD serving `zones` (origin without trailing dot, zone-file text) and waits
    /// until it answers over TCP.
    ///
    /// The port is one the kernel had free for TCP a moment earlier; it may be taken by
    /// then (for UDP, say, as a resolver's source port in a parallel test), so a start
    /// that fails with "address already in use" is tried again on another port.
    /// - Throws: `PeerError` when nsd is missing or does not start (with its log).
    public init(zones: [(origin: String, text: String)], ipv6: Bool = true) async throws {
        guard let executable = Self.executable else { throw PeerError("nsd is not installed (Scripts/peers/dns.apt)") }
        let directory = try TemporaryDirectory(prefix: "nsd")
        for (index, zone) in zones.enumerated() {
            try zone.text.write(toFile: directory.path("zone\(index).zone"), atomically: true, encoding: .utf8)
        }
        let attempts = 5
        for attempt in 1...attempts {
            let port = try ChildProcess.freePort()
            let configurationPath = directory.path("nsd.conf")
            try Self.configuration(port: port, ipv6: ipv6, root: directory.url.path, zones: zones.map(\.origin))
                .write(toFile: configurationPath, atomically: true, encoding: .utf8)
            let pid = try Self.spawn(executable.path, ["-d", "-c", configurationPath], output: directory.path("nsd.out"))
            switch await Self.waitUntilListening(pid: pid, port: port) {
            case .listening:
                self.port = port
                self.directory = directory
                self.pid = pid
                return
            case .exited(let status):
                let log = Self.log(in: directory)
                if attempt < attempts && log.contains("already in use") { continue }
                throw PeerError("nsd exited with status \(status) before listening on \(port):\n\(log)")
            case .timedOut:
                Self.stop(pid: pid)
                throw PeerError("nsd did not listen on port \(port) within 20 s:\n\(Self.log(in: directory))")
            }
        }
        throw PeerError("nsd found no free port in \(attempts) tries:\n\(Self.log(in: directory))")
    }

    private static func configuration(port: UInt16, ipv6: Bool, root: String, zones: [String]) -> String {
        var configuration = "server:\n  ip-address: 127.0.0.1@\(port)\n"
        if ipv6 { configuration += "  ip-address: ::1@\(port)\n" }
        configuration += """
              port: \(port)
              username: ""
              chroot: ""
              zonesdir: "\(root)"
              database: ""
              pidfile: "\(root)/nsd.pid"
              xfrdfile: "\(root)/xfrd.state"
              zonelistfile: "\(root)/zone.list"
              xfrdir: "\(root)"
              logfile: "\(root)/nsd.log"
              server-count: 1
              reuseport: no
              hide-version: yes
              verbosity: 1
            remote-control:
              control-enable: no

            """
        for (index, origin) in zones.enumerated() {
            configuration += "zone:\n  name: \"\(origin)\"\n  zonefile: \"zone\(index).zone\"\n"
        }
        return configuration
    }

    private enum StartOutcome {
        case listening
        case exited(Int32)
        case timedOut
    }

    private static func waitUntilListening(pid: pid_t, port: UInt16) async -> StartOutcome {
        let start = ContinuousClock.now
        while !ChildProcess.canConnect(port: port) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return .exited(status) }
            if ContinuousClock.now - start > .seconds(20) { return .timedOut }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return .listening
    }

    /// NSD's log and output so far (zone loading errors show here).
    public var log: String { Self.log(in: directory) }

    private static func log(in directory: TemporaryDirectory) -> String {
        ["nsd.log", "nsd.out"].map { (try? String(contentsOfFile: directory.path($0), encoding: .utf8)) ?? "" }.joined()
    }

    /// Stops NSD and its helper processes (SIGTERM to the group; SIGKILL after two
    /// seconds), and reaps it. Safe to call more than once.
    public func stop() { Self.stop(pid: pid) }

    private static func stop(pid: pid_t) {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == 0 else { return }
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(5_000)
        }
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    deinit { stop() }

    private static func spawn(_ path: String, _ arguments: [String], output: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw PeerError("cannot start \(path): \(String(cString: strerror(result)))") }
        return pid
    }
}
