import CommunityMailCrypto
import Foundation

/// PBKDF2-HMAC-SHA256 at sqlite3mc's 64007 iterations (one LOGIN's key derivation): ours
/// (two block compressions per iteration) vs OpenSSL's `PKCS5_PBKDF2_HMAC` (the path we
/// used before) vs Python's hashlib (the same OpenSSL path), with the floor: 2 × 64007 raw
/// SHA-256 block compressions.
enum KDFBenchmark {
    static let iterations = 64007
    static let rounds = 4

    static func run() throws {
        print("kdf: PBKDF2-HMAC-SHA256, \(iterations) iterations, 16-byte salt, 32-byte key; \(rounds) derivations per run, fastest run")
        let password = Array("correct horse battery staple".utf8)
        let salt = try SecureRandom.bytes(16)
        let ours = try PBKDF2.deriveKey(password: password, salt: salt, iterations: iterations, length: 32)
        guard try ours == PBKDF2.deriveKeyWithOpenSSL(password: password, salt: salt, iterations: iterations, length: 32) else {
            throw BenchmarkFailure("our derivation differs from PKCS5_PBKDF2_HMAC's")
        }
        let (oursTime, openSSLTime) = try BenchmarkClock.compare(
            ours: {
                for _ in 0..<rounds { _ = try PBKDF2.deriveKey(password: password, salt: salt, iterations: iterations, length: 32) }
            },
            baseline: {
                for _ in 0..<rounds { _ = try PBKDF2.deriveKeyWithOpenSSL(password: password, salt: salt, iterations: iterations, length: 32) }
            })
        var sink: UInt32 = 0
        let floorTime = BenchmarkClock.fastest { for _ in 0..<rounds { sink &+= PBKDF2.sha256Compressions(2 * iterations) } }
        let perDerivation = { (duration: Duration) in duration.seconds / Double(rounds) * 1000 }
        report("ours (pad states once, 2 compressions/iter)", "\(format(perDerivation(oursTime), 2)) ms")
        report("OpenSSL PKCS5_PBKDF2_HMAC (before)", "\(format(perDerivation(openSSLTime), 2)) ms")
        if let python = PythonBaseline.executable() {
            let script = """
                import hashlib, json, sys, time
                spec = json.load(open(sys.argv[1]))
                p, s, n = spec["password"].encode(), bytes.fromhex(spec["salt"]), spec["iterations"]
                best = 1e9
                for _ in range(6):
                    start = time.perf_counter()
                    hashlib.pbkdf2_hmac("sha256", p, s, n, 32)
                    best = min(best, time.perf_counter() - start)
                print(1 / best)
                """
            let result = try PythonBaseline.rate(
                python, script: script, input: ["password": "correct horse battery staple", "salt": Hex.encode(salt), "iterations": iterations])
            if let rate = result.rate {
                report("Python hashlib.pbkdf2_hmac", "\(format(1000 / rate, 2)) ms")
                report("ratio hashlib / ours (time)", format(1000 / rate / perDerivation(oursTime), 2))
            } else {
                report("Python hashlib.pbkdf2_hmac", "failed: \(result.output)")
            }
        } else {
            report("Python hashlib.pbkdf2_hmac", "skipped: no venv (set COMMUNITYMAIL_VENV)")
        }
        report("floor (2 x \(iterations) SHA-256 compressions)", "\(format(perDerivation(floorTime), 2)) ms")
        if sink == 1 { print("") }  // keeps the compressions from being optimised away
        report("ratio OpenSSL / ours (time; the speed-up)", format(openSSLTime.seconds / oursTime.seconds, 2))
        report("ratio ours / floor (time; 1.00 = no overhead)", format(oursTime.seconds / floorTime.seconds, 3))
    }
}
