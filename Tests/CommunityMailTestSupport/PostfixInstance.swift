import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private Postfix (the Debian package's binaries) with its own configuration, queue and
/// data directories under a ``TemporaryDirectory``: `smtpd` on a free loopback port (nothing
/// else listens), `mynetworks` 127.0.0.0/8, every accepted message relayed to one next hop,
/// no DNS, its log in a file of its own. The system's default instance is neither needed
/// nor touched.
///
/// Started with `postfix -c DIR start` and stopped with `postfix -c DIR stop` (then
/// SIGKILL to the master if it has not gone). Postfix's master must start as root (CI runs
/// as root): ``isAvailable`` says whether it can. Root may name any configuration directory
/// with `-c`; other users would need it in the default `main.cf`'s
/// `alternate_config_directories`. `postfix start` creates the queue's subdirectories
/// (owned by `postfix`) and the data directory itself; a data directory made beforehand
/// would be root's, and the master could not take its lock there.
public final class PostfixInstance: Sendable {
    /// What the instance does besides the fixed settings.
    public struct Configuration: Sendable {
        /// Where accepted mail goes: Postfix's `relayhost` (`[127.0.0.1]:PORT` for a sink on
        /// loopback; the brackets mean "no MX look-up").
        public var relayHost: String
        /// `myhostname`: the name in Postfix's greeting and its `Received:` fields. Default:
        /// `relay.postfix.test`.
        public var hostName = "relay.postfix.test"
        /// More `main.cf` settings, written after the fixed ones (the last definition of a
        /// parameter wins in Postfix). Values may use `$config_directory` for the files
        /// below. Default: none.
        public var settings: [String: String] = [:]
        /// Files written into the configuration directory by name (e.g. a
        /// `virtual_domains` list). Default: none.
        public var files: [String: String] = [:]
        /// Tables written into the configuration directory by name and compiled with
        /// `postmap hash:`; name them in ``settings`` as `hash:$config_directory/NAME`.
        /// Default: none.
        public var hashTables: [String: String] = [:]

        /// An instance that relays everything to `relayHost`.
        public init(relayHost: String) {
            self.relayHost = relayHost
        }
    }

    /// The loopback port `smtpd` listens on.
    public let port: UInt16
    /// The configuration directory (`main.cf`, `master.cf`, the tables).
    public let configDirectory: String
    /// The file Postfix logs to (its own `maillog_file`).
    public let logFile: String
    private let queueDirectory: String
    private let directory: TemporaryDirectory

    /// True when Postfix can be started here: its `postfix` command and user exist and
    /// this process is root.
    public static var isAvailable: Bool {
        TestPeers.executable("postfix") != nil && getpwnam("postfix") != nil && geteuid() == 0
    }

    /// Writes the configuration, starts Postfix and waits until `smtpd` accepts
    /// connections.
    /// - Throws: `PeerError` with Postfix's log when it does not start.
    public init(configuration: Configuration) async throws {
        guard let postfix = TestPeers.executable("postfix") else { throw PeerError("postfix is not installed") }
        directory = try TemporaryDirectory(prefix: "postfix-instance")
        // Postfix's unprivileged daemons must reach the queue through this folder.
        chmod(directory.url.path, 0o755)
        configDirectory = directory.path("etc")
        queueDirectory = directory.path("queue")
        logFile = directory.path("maillog")
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: queueDirectory, withIntermediateDirectories: true)
        port = try ChildProcess.freePort()

        try Self.mainCF(configuration, directory: directory, queue: queueDirectory, log: logFile)
            .write(toFile: configDirectory + "/main.cf", atomically: true, encoding: .utf8)
        try Self.masterCF(port: port).write(toFile: configDirectory + "/master.cf", atomically: true, encoding: .utf8)
        for (name, text) in configuration.files {
            try text.write(toFile: configDirectory + "/" + name, atomically: true, encoding: .utf8)
        }
        for (name, text) in configuration.hashTables {
            let path = configDirectory + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let postmap = TestPeers.executable("postmap") ?? postfix.deletingLastPathComponent().appendingPathComponent("postmap")
            let (status, output) = try await ChildProcess.run(postmap, ["-c", configDirectory, "hash:" + path])
            guard status == 0 else { throw PeerError("postmap \(name) failed (\(status)):\n\(output)") }
        }

        let (status, output) = try await ChildProcess.run(postfix, ["-c", configDirectory, "start"])
        guard status == 0 else {
            await Self.stop(configDirectory: configDirectory, queueDirectory: queueDirectory)
            throw PeerError("postfix start failed (\(status)):\n\(output)\n\(Self.read(logFile))")
        }
        do {
            try await Self.waitForPort(port)
        } catch {
            await Self.stop(configDirectory: configDirectory, queueDirectory: queueDirectory)
            throw PeerError("\(error)\n\(Self.read(logFile))")
        }
    }

    deinit {
        // A test that forgot stop(): no master may outlive the directory it works in.
        if let master = Self.masterPID(queueDirectory: queueDirectory) {
            kill(master, SIGKILL)
        }
    }

    /// What Postfix has logged so far (for failure messages and for checks of what it did
    /// after answering, such as a deferral).
    public var log: String { Self.read(logFile) }

    /// Stops Postfix with `postfix -c DIR stop` and waits for its master to exit; after
    /// 20 s it is killed. Stopping twice is harmless.
    public func stop() async {
        await Self.stop(configDirectory: configDirectory, queueDirectory: queueDirectory)
    }

    /// Waits until the log has a line containing every string of `fragments`; returns it,
    /// or nil after `timeout`.
    public func waitForLogLine(containing fragments: [String], timeout: Duration = .seconds(120)) async throws -> String? {
        let start = ContinuousClock.now
        repeat {
            if let line = log.split(separator: "\n").first(where: { line in fragments.allSatisfy { line.contains($0) } }) {
                return String(line)
            }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now - start < timeout
        return nil
    }

    // MARK: The configuration

    private static func mainCF(_ configuration: Configuration, directory: TemporaryDirectory, queue: String, log: String) -> String {
        let fixed: [(String, String)] = [
            ("compatibility_level", "3.6"),
            ("queue_directory", queue),
            ("data_directory", directory.path("data")),
            ("maillog_file", log),
            ("maillog_file_prefixes", directory.url.path),
            ("myhostname", configuration.hostName),
            ("myorigin", "$myhostname"),
            // Nothing is delivered here: every message goes to the relay host.
            ("mydestination", ""),
            ("local_recipient_maps", ""),
            ("local_transport", "error:5.1.1 local delivery is disabled"),
            ("alias_maps", ""),
            ("alias_database", ""),
            ("inet_interfaces", "127.0.0.1"),
            ("inet_protocols", "ipv4"),
            ("mynetworks", "127.0.0.0/8"),
            ("smtpd_relay_restrictions", "permit_mynetworks, reject"),
            ("relayhost", configuration.relayHost),
            // No DNS anywhere: the relay host is an address literal.
            ("smtp_dns_support_level", "disabled"),
            ("smtp_host_lookup", "native"),
            ("smtpd_peername_lookup", "no"),
            // Mail from loopback is remote mail: no header rewriting, nothing added.
            ("local_header_rewrite_clients", ""),
            ("biff", "no"),
        ]
        var lines = fixed.map { "\($0.0) = \($0.1)" }
        lines += configuration.settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Only the services a relay needs, none chrooted, `smtpd` on the loopback port alone
    /// (no pickup: nothing is submitted locally).
    private static func masterCF(port: UInt16) -> String {
        """
        127.0.0.1:\(port) inet n - n - - smtpd
        cleanup    unix n - n - 0 cleanup
        qmgr       unix n - n 300 1 qmgr
        rewrite    unix - - n - - trivial-rewrite
        bounce     unix - - n - 0 bounce
        defer      unix - - n - 0 bounce
        trace      unix - - n - 0 bounce
        verify     unix - - n - 1 verify
        smtp       unix - - n - - smtp
        relay      unix - - n - - smtp
        error      unix - - n - - error
        retry      unix - - n - - error
        discard    unix - - n - - discard
        anvil      unix - - n - 1 anvil
        scache     unix - - n - 1 scache
        proxymap   unix - - n - - proxymap
        postlog    unix-dgram n - n - 1 postlogd

        """
    }

    // MARK: Processes

    private static func waitForPort(_ port: UInt16, timeout: Duration = .seconds(90)) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if ChildProcess.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        if ChildProcess.canConnect(port: port) { return }
        throw PeerError("postfix did not listen on port \(port) within \(timeout)")
    }

    private static func stop(configDirectory: String, queueDirectory: String) async {
        guard let master = masterPID(queueDirectory: queueDirectory) else { return }
        if let postfix = TestPeers.executable("postfix") {
            _ = try? await ChildProcess.run(postfix, ["-c", configDirectory, "stop"])
        } else {
            kill(master, SIGTERM)
        }
        let start = ContinuousClock.now
        while isRunning(master), ContinuousClock.now - start < .seconds(20) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if isRunning(master) { kill(master, SIGKILL) }
    }

    /// The master's process id from its pid file, while that process runs.
    private static func masterPID(queueDirectory: String) -> pid_t? {
        let text = read(queueDirectory + "/pid/master.pid").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = pid_t(text), pid > 1, isRunning(pid) else { return nil }
        return pid
    }

    /// True while `pid` exists and is not a zombie (the master is daemonised: its parent
    /// is not this process, and a container's init may be slow to reap it).
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
