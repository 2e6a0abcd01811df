import CommunityMailTestSupport
import Foundation

/// Runs Python scripts for the IMAP server tests: the test venv's python (imaplib is in its
/// standard library) with a JSON settings file as its argument.
enum IMAPPythonScript {
    /// Helpers every script gets: `config`, `context` (trusting the test authority),
    /// `plain()` / `starttls()` / `implicit()` connections, `tagged(client, tag)`.
    static let prelude = #"""
        import base64, imaplib, json, socket, ssl, sys, time
        config = json.load(open(sys.argv[1]))
        extra = config.get("extra", {})
        context = ssl.create_default_context(cafile=config["cafile"]) if config.get("cafile") else None
        def plain():
            return imaplib.IMAP4("127.0.0.1", config["port"], timeout=120)
        def starttls():
            client = plain()
            client.starttls(ssl_context=context)
            return client
        def implicit():
            return imaplib.IMAP4_SSL("127.0.0.1", config["tls_port"], ssl_context=context, timeout=120)
        def text(value):
            return value.decode("latin-1") if isinstance(value, bytes) else value
        def raw(client, line):
            """Sends one command line as is and returns every line up to its tagged reply."""
            tag = line.split(b" ")[0]
            client.send(line + b"\r\n")
            lines = []
            while True:
                got = client.readline()
                if not got:
                    lines.append("<closed>")
                    return lines
                lines.append(text(got).rstrip("\r\n"))
                if got.startswith(tag + b" "):
                    return lines

        """#

    static func run<Output: Decodable>(_ source: String, settings: [String: Any], as type: Output.Type) async throws -> Output {
        guard let python = TestPeers.python ?? TestPeers.executable("python3") else { throw PeerError("no python for imaplib") }
        let folder = try TemporaryDirectory(prefix: "imaplib")
        let script = folder.path("session.py"), configuration = folder.path("session.json"), output = folder.path("out.json")
        try source.write(toFile: script, atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: configuration))
        let (status, log) = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" \"$1\" \"$2\" > \"$3\"", python.path, script, configuration, output])
        guard status == 0 else { throw PeerError("imaplib script failed (\(status)): \(log)") }
        return try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: output)))
    }
}
