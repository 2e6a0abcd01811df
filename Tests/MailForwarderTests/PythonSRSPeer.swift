import CommunityMailTestSupport
import Foundation

/// The Python SRS libraries, asked through `Peers/srs_peer.py` in a child process:
/// python3-srs (`SRS.Guarded`, Debian's package, so with `/usr/bin/python3`) and PyPI
/// `srslib` (with the test venv's python).
enum PythonSRSPeer: String, CaseIterable, CustomStringConvertible {
    case python3SRS = "srs"
    case srslib

    var description: String { self == .python3SRS ? "python3-srs" : "srslib" }

    static let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailForwarderTests/Peers/srs_peer.py")

    /// The python that has this library, if it does.
    var python: URL? {
        switch self {
        case .python3SRS:
            let system = URL(fileURLWithPath: "/usr/bin/python3")
            return FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/SRS/Guarded.py") ? system : nil
        case .srslib:
            return TestPeers.pythonHas(["srslib"]) ? TestPeers.python : nil
        }
    }

    /// True when both libraries can be run.
    static var areAvailable: Bool { allCases.allSatisfy { $0.python != nil } }

    /// The library's forward (or reverse) of each address, nil where it raised; with
    /// `time`, its clock reads that Unix time, otherwise the real one.
    func run(_ action: String, _ addresses: [String], domain: String, secrets: [String], time: Double? = nil) async throws
        -> [String?]
    {
        guard let python else { throw PeerError("\(self) is not installed") }
        var arguments = [Self.script.path, rawValue, action, "--domain", domain]
        for secret in secrets { arguments += ["--secret", secret] }
        if let time { arguments += ["--time", String(time)] }
        arguments += addresses.map { PostSRSDProcess.percentEncoded($0) }
        let (status, output) = try await ChildProcess.run(python, arguments)
        guard status == 0 else { throw PeerError("\(self) failed: \(output)") }
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("OK ") || $0.hasPrefix("ERR ") }
        guard lines.count == addresses.count else { throw PeerError("\(self) answered \(output)") }
        return lines.map { $0.hasPrefix("OK ") ? PostSRSDProcess.percentDecoded(String($0.dropFirst(3))) : nil }
    }
}
