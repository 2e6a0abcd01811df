public import Foundation

/// Where the interop peers that `Scripts/test` installs live, and whether a test run
/// must have them.
///
/// `Scripts/test` sets `COMMUNITYMAIL_VENV` to its Python virtual environment and
/// `COMMUNITYMAIL_REQUIRE_PEERS=1`, so that a missing peer fails the run instead of
/// skipping the interop tests. A plain `swift test` skips them when no peer is present.
public enum TestPeers {
    /// The repository's root folder (found from this source file's location).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The virtual environment's folder.
    public static var virtualEnvironment: URL {
        if let path = ProcessInfo.processInfo.environment["COMMUNITYMAIL_VENV"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repositoryRoot.appendingPathComponent(".venv")
    }

    /// The virtual environment's python, if it exists.
    public static var python: URL? {
        let url = virtualEnvironment.appendingPathComponent("bin/python")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// True when the test run must have every peer (set by `Scripts/test`).
    public static var required: Bool {
        ProcessInfo.processInfo.environment["COMMUNITYMAIL_REQUIRE_PEERS"] == "1"
    }

    /// True when `python` can import every module in `modules`.
    public static func pythonHas(_ modules: [String]) -> Bool {
        guard let python else { return false }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", modules.map { "import \($0)" }.joined(separator: "; ")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try ChildProcess.launch(process)
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }

    /// Whether tests that need `available` should run: they run when it is there, and
    /// also when peers are required (so that they fail loudly rather than skip); then
    /// `available` is not even asked (some answers start a python).
    public static func shouldRun(_ available: @autoclosure () -> Bool) -> Bool { required || available() }

    /// One of this package's executables (an example), as `swift build` leaves it: beside
    /// the test bundle, or in `.build/debug`. Nil when it has not been built.
    public static func builtExecutable(_ name: String) -> URL? {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [besideTests, besideTests.deletingLastPathComponent(), repositoryRoot.appendingPathComponent(".build/debug")] {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// The path of an executable on `PATH` or in the usual system folders, if any.
    public static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"]
        for folder in folders {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
