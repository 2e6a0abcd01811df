import CommunityMailCrypto
import CommunityMailMessage
import Foundation
import MailAuth

/// DKIM verifications per second on the same 1,000 signed messages, keys given directly
/// (no DNS): our DKIMVerifier against dkimpy's `dkim.verify` (with a `dnsfunc` answering
/// from a table), once with rsa-sha256 (2048-bit key) and once with ed25519-sha256. Both
/// sides check the body hash and the header signature of every message.
enum MailAuthBenchmark {
    static let messageCount = 1000

    static func run() async throws {
        let rsa = try SigningKey.generateRSA(bits: 2048)
        let ed25519 = try SigningKey.generateEd25519()
        let keys = StaticKeySource()
        var records: [String: String] = [:]
        for (selector, key) in [("rsa", rsa), ("ed", ed25519)] {
            let record = try DKIMKeyRecord.text(publishing: key.verifyingKey)
            try keys.set(recordText: record, selector: selector, domain: "bench.example")
            records["\(selector)._domainkey.bench.example"] = record
        }
        let originals = corpus()
        print("mail-auth: DKIM verification of \(messageCount) messages (2-40 KiB, relaxed/relaxed), keys given directly; fastest of 3")
        let verifier = DKIMVerifier(keySource: keys)
        for (name, selector, key) in [("rsa-sha256 (2048)", "rsa", rsa), ("ed25519-sha256", "ed", ed25519)] {
            let signer = try DKIMSigner(key: key, configuration: .init(domain: "bench.example", selector: selector))
            let signed = try originals.map { try signer.sign($0) }
            // Every message must pass on our side, or the figure means nothing.
            for message in signed.prefix(3) where await verifier.verify(message).results.first?.status != .pass {
                throw MailAuthError.invalidMessage.with(message: "a benchmark message did not verify")
            }
            let ours = try await BenchmarkClock.fastestAsync {
                var passed = 0
                for message in signed where await verifier.verify(message).hasPass { passed += 1 }
                guard passed == signed.count else { throw MailAuthError.invalidMessage.with(message: "\(signed.count - passed) did not verify") }
            }
            let oursRate = Double(signed.count) / ours.seconds
            report("ours, \(name)", "\(format(oursRate, 0)) verifications/s")
            guard let python = PythonBaseline.executable() else {
                report("dkimpy, \(name)", "not run: no venv python (run Scripts/install-test-deps)")
                continue
            }
            let theirs = try runDkimpy(python, messages: signed.map(\.bytes), records: records)
            report("dkimpy dkim.verify, \(name)", "\(format(theirs, 0)) verifications/s")
            report("ratio (ours / dkimpy), \(name)", "\(format(oursRate / theirs, 1))x")
        }
    }

    /// 1,000 messages of 2 to 40 KiB: text lines, some long, folded headers, trailing
    /// blank lines (relaxed canonicalisation has work to do).
    static func corpus() -> [MailMessage] {
        var generator = SystemRandomNumberGenerator()
        return (0..<messageCount).map { index in
            var text = "From: Sender \(index) <sender\(index)@bench.example>\r\nTo: member@example.org\r\n"
            text += "Subject: benchmark message \(index) with a subject long enough\r\n\tto be folded over two lines\r\n"
            text += "Date: Mon, 07 Dec 2026 08:00:00 +0000\r\nMessage-ID: <\(index)@bench.example>\r\nMIME-Version: 1.0\r\n"
            text += "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            let target = Int.random(in: 2048...40960, using: &generator)
            var line = 0
            while text.utf8.count < target {
                line += 1
                text += line % 17 == 0 ? String(repeating: "long  line \t ", count: 30) + "\r\n" : "Line \(line) of message \(index): words  and   spaces \r\n"
            }
            return MailMessage(Array((text + "\r\n\r\n").utf8))
        }
    }

    private static func runDkimpy(_ python: URL, messages: [[UInt8]], records: [String: String]) throws -> Double {
        let input: [String: Any] = ["records": records, "messages": messages.map { Data($0).base64EncodedString() }]
        let (rate, output) = try PythonBaseline.rate(python, script: pythonScript, input: input)
        guard let rate else { throw MailAuthError.invalidMessage.with(message: "the dkimpy baseline failed: \(output)") }
        return rate
    }

    /// dkimpy's side: `dkim.verify` on every message with keys from a table, fastest of
    /// three runs; every message must pass.
    static let pythonScript = """
        import base64, json, sys, time
        import dkim

        data = json.load(open(sys.argv[1]))
        records = {name.lower(): value.encode() for name, value in data["records"].items()}
        def dnsfunc(name, timeout=5):
            return records.get(name.decode().lower().rstrip("."))
        messages = [base64.b64decode(m) for m in data["messages"]]
        best = 0.0
        for _ in range(3):
            start = time.perf_counter()
            for message in messages:
                if not dkim.verify(message, dnsfunc=dnsfunc):
                    sys.exit("a message did not verify in dkimpy")
            best = max(best, len(messages) / (time.perf_counter() - start))
        print(best)
        """
}
