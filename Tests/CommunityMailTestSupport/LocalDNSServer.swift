import Foundation

/// NSD, the authoritative DNS server from Debian's `nsd` package, started on a free
/// loopback port (127.0.0.1 and ::1, UDP and TCP) to serve zones given as zone-file text.
///
/// Everything it writes (configuration, zone files, pid, transfer state, log) lives in a
/// temporary directory removed when the server is released; it runs in the foreground
/// as the current user, without chroot or a zone database, so no system state is touched.
public final class LocalDNSServer: Sendable {
    /// The port it answers on, UDP and TCP.
    public let port: UInt16
    private let directory: TemporaryDirectory
    private let process: ChildProcess

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
        var configuration = """
            server:
              ip-address: 127.0.0.1@\(port)
            \(ipv6 ? "  ip-address: ::1@\(port)\n" : "")\
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
        process = try ChildProcess(executable, ["-d", "-c", configurationPath])
        do {
            try await process.waitForTCPPort(port)
        } catch {
            let log = (try? String(contentsOfFile: directory.path("nsd.log"), encoding: .utf8)) ?? ""
            throw PeerError("\(error)\n\(log)")
        }
    }

    /// NSD's log so far (zone loading errors show here).
    public var log: String { (try? String(contentsOfFile: directory.path("nsd.log"), encoding: .utf8)) ?? "" }

    /// Stops NSD.
    public func stop() { process.stop() }

    deinit { process.stop() }
}
