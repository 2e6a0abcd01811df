import CommunityMailTestSupport
import Foundation

/// A scripted POP3 session run by Python's `poplib` (a client nobody here wrote), against
/// our server or Dovecot: each step is one command, each result what poplib returned
/// (status line, data lines byte-exact as latin-1 text, or the -ERR it raised).
struct POP3ClientScript {
    /// One step's result.
    struct Result: Decodable, Equatable {
        var step: String
        var ok: Bool
        var response: String
        var lines: [String]?
        var capabilities: [String: [String]]?
    }

    /// How the client connects.
    enum Transport: String {
        /// Plain TCP.
        case plain
        /// Plain TCP, then STLS before the first login step.
        case stls
        /// Implicit TLS.
        case tls
    }

    var host = "127.0.0.1"
    var port: UInt16
    var transport = Transport.plain
    var certificateAuthority: String?
    /// Steps: `connect`, `capa`, `stls`, `user NAME`, `pass PASSWORD`, `plain NAME PASSWORD`,
    /// `stat`, `list [n]`, `uidl [n]`, `top n k`, `retr n`, `dele n`, `rset`, `noop`,
    /// `quit`, `abort` (close the socket without QUIT), `raw TEXT`.
    var steps: [String]
    /// poplib's socket timeout, seconds.
    var timeout = 120

    static let source = #"""
        import base64, json, poplib, socket, ssl, sys
        config = json.load(open(sys.argv[1]))
        results = []
        client = None
        context = None
        if config.get("cafile"):
            context = ssl.create_default_context(cafile=config["cafile"])
        def connect():
            if config["transport"] == "tls":
                return poplib.POP3_SSL(config["host"], config["port"], context=context, timeout=config["timeout"])
            return poplib.POP3(config["host"], config["port"], timeout=config["timeout"])
        def text(b):
            return b.decode("latin-1")
        for step in config["steps"]:
            words = step.split(" ")
            name = words[0]
            record = {"step": step, "ok": True, "response": ""}
            try:
                if name == "connect":
                    client = connect()
                    record["response"] = text(client.getwelcome())
                    if config["transport"] == "stls":
                        record["response"] = text(client.stls(context))
                elif name == "capa":
                    record["capabilities"] = {k: v for k, v in client.capa().items()}
                elif name == "stls":
                    record["response"] = text(client.stls(context))
                elif name == "user":
                    record["response"] = text(client.user(words[1]))
                elif name == "pass":
                    record["response"] = text(client.pass_(" ".join(words[1:])))
                elif name == "plain":
                    token = base64.b64encode(("\0" + words[1] + "\0" + " ".join(words[2:])).encode()).decode()
                    record["response"] = text(client._shortcmd("AUTH PLAIN " + token))
                elif name == "stat":
                    count, size = client.stat()
                    record["response"] = "+OK %d %d" % (count, size)
                elif name in ("list", "uidl"):
                    method = client.list if name == "list" else client.uidl
                    if len(words) > 1:
                        record["response"] = text(method(int(words[1])))
                    else:
                        response, lines, _ = method()
                        record["response"] = text(response)
                        record["lines"] = [text(l) for l in lines]
                elif name == "top":
                    response, lines, _ = client.top(int(words[1]), int(words[2]))
                    record["response"] = text(response)
                    record["lines"] = [text(l) for l in lines]
                elif name == "retr":
                    response, lines, _ = client.retr(int(words[1]))
                    record["response"] = text(response)
                    record["lines"] = [text(l) for l in lines]
                elif name == "dele":
                    record["response"] = text(client.dele(int(words[1])))
                elif name == "rset":
                    record["response"] = text(client.rset())
                elif name == "noop":
                    record["response"] = text(client.noop())
                elif name == "quit":
                    record["response"] = text(client.quit())
                    client = None
                elif name == "abort":
                    client.sock.close()
                    client = None
                elif name == "raw":
                    record["response"] = text(client._shortcmd(" ".join(words[1:])))
                else:
                    raise SystemExit("unknown step " + step)
            except poplib.error_proto as error:
                record["ok"] = False
                record["response"] = text(error.args[0]) if isinstance(error.args[0], bytes) else str(error.args[0])
            results.append(record)
        print(json.dumps(results))
        """#

    /// Runs the steps and returns one result per step.
    func run() async throws -> [Result] {
        guard let python = TestPeers.python ?? TestPeers.executable("python3") else { throw PeerError("no python for poplib") }
        let folder = try TemporaryDirectory(prefix: "poplib")
        let script = folder.path("session.py"), configuration = folder.path("session.json")
        try Self.source.write(toFile: script, atomically: true, encoding: .utf8)
        var settings: [String: Any] = ["host": host, "port": Int(port), "transport": transport.rawValue, "steps": steps, "timeout": timeout]
        if let certificateAuthority { settings["cafile"] = certificateAuthority }
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: configuration))
        let output = folder.path("out.json")
        let (status, log) = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" \"$1\" \"$2\" > \"$3\"", python.path, script, configuration, output])
        guard status == 0 else { throw PeerError("poplib script failed (\(status)): \(log)") }
        return try JSONDecoder().decode([Result].self, from: Data(contentsOf: URL(fileURLWithPath: output)))
    }
}
