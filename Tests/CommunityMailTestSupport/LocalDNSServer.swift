import Foundation

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
    /// - Throws: `PeerError` when nsd is missing or does not start (with its log).
    public init(zones: [(origin: String, text: String)], ipv6: Bool = true) async throws {
        guard let executable = Self.executable else { throw PeerError("nsd is not installed (Scripts/peers/dns.apt)") }
        directory = try TemporaryDirectory(prefix: "nsd")
        port = try ChildProcess.freePort()
        let root = directory.url.path
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
        for (index, zone) in zones.enumerated() {
            let file = "zone\(index).zone"
            try zone.text.write(toFile: directory.path(file), atomically: true, encoding: .utf8)
            configuration += "zone:\n  name: \"\(zone.origin)\"\n  zonefile: \"\(file)\"\n"
        }
        let configurationPath = directory.path("nsd.conf")
        try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        pid = try Self.spawn(executable.path, ["-d", "-c", configurationPath], output: directory.path("nsd.out"))

        let start = ContinuousClock.now
        while !ChildProcess.canConnect(port: port) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw PeerError("nsd exited with status \(status) before listening on \(port):\n\(log)")
            }
            if ContinuousClock.now - start > .seconds(20) {
                stop()
                throw PeerError("nsd did not listen on port \(port) within 20 s:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// NSD's log and output so far (zone loading errors show here).
    public var log: String {
        ["nsd.log", "nsd.out"].map { (try? String(contentsOfFile: directory.path($0), encoding: .utf8)) ?? "" }.joined()
    }

    /// Stops NSD and its helper processes (SIGTERM to the group; SIGKILL after two
    /// seconds), and reaps it. Safe to call more than once.
    public func stop() {
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
