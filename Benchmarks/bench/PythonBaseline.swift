import Foundation

/// A baseline measured by a Python peer from the test venv: the script gets a JSON input
/// file and prints one number (its rate) on standard output.
enum PythonBaseline {
    /// The venv's python (`COMMUNITYMAIL_VENV`, else `.venv` here), or nil when there is none.
    static func executable() -> URL? {
        let venv = ProcessInfo.processInfo.environment["COMMUNITYMAIL_VENV"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".venv")
        let python = venv.appendingPathComponent("bin/python")
        return FileManager.default.isExecutableFile(atPath: python.path) ? python : nil
    }

    /// Runs `script` with `python` on `input` (written as JSON) and returns the number it
    /// printed, or nil (with what it printed) when it failed.
    static func rate(_ python: URL, script: String, input: [String: Any]) throws -> (rate: Double?, output: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputURL = folder.appendingPathComponent("input.json")
        try JSONSerialization.data(withJSONObject: input).write(to: inputURL)
        let scriptURL = folder.appendingPathComponent("baseline.py")
        try Data(script.utf8).write(to: scriptURL)
        let process = Process()
        process.executableURL = python
        process.arguments = [scriptURL.path, inputURL.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (process.terminationStatus == 0 ? Double(text) : nil, text)
    }
}
