import CommunityMailCrypto
import CommunityMailTestSupport
import Foundation
import Testing

/// The block-function PBKDF2 against two independent implementations on random inputs:
/// OpenSSL's generic `PKCS5_PBKDF2_HMAC` (thousands of cases) and Python's
/// `hashlib.pbkdf2_hmac` (a few dozen, in one child process).
@Suite("PBKDF2 cross-checks: PKCS5_PBKDF2_HMAC and hashlib on random inputs")
struct PBKDF2CrossCheckTests {
    struct Case: Sendable, CustomStringConvertible {
        var password: [UInt8]
        var salt: [UInt8]
        var iterations: Int
        var length: Int
        var hash: HashFunction
        var description: String {
            "\(hash.rawValue) password \(password.count) B, salt \(salt.count) B, \(iterations) iterations, \(length) B"
        }
    }

    /// Passwords 0-200 bytes (over 64 must be hashed first), salts 0-100, 1-3000
    /// iterations (small counts more often), outputs 1-100 bytes (several blocks).
    static func cases(seed: UInt64, count: Int, hash: HashFunction) -> [Case] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let passwordLength = [0, 1, 63, 64, 65, 128].indices.contains(index) ? [0, 1, 63, 64, 65, 128][index] : Int(random.next() % 201)
            let iterations = random.next() % 4 == 0 ? Int(random.next() % 3000) + 1 : Int(random.next() % 40) + 1
            return Case(
                password: random.bytes(passwordLength), salt: random.bytes(Int(random.next() % 101)),
                iterations: iterations, length: Int(random.next() % 100) + 1, hash: hash)
        }
    }

    @Test("Equal to PKCS5_PBKDF2_HMAC", arguments: [
        (HashFunction.sha256, UInt64(0x5eed_0001)), (.sha256, 0x5eed_0002), (.sha256, 0x5eed_0003), (.sha256, 0x5eed_0004),
        (.sha1, 0x5eed_0011), (.sha1, 0x5eed_0012),
    ])
    func equalToOpenSSL(hash: HashFunction, seed: UInt64) throws {
        for testCase in Self.cases(seed: seed, count: 500, hash: hash) {
            let ours = try PBKDF2.deriveKey(
                password: testCase.password, salt: testCase.salt, iterations: testCase.iterations, length: testCase.length, hash: hash)
            let reference = try PBKDF2.deriveKeyWithOpenSSL(
                password: testCase.password, salt: testCase.salt, iterations: testCase.iterations, length: testCase.length, hash: hash)
            #expect(ours == reference, "\(testCase)")
            if ours != reference { return }
        }
    }

    @Test("sqlite3mc's parameters: 64007 iterations, 32 bytes, 16-byte salt")
    func sqlite3mcParameters() throws {
        var random = SplitMix64(seed: 64007)
        for passwordLength in [1, 28, 64, 65, 200] {
            let password = random.bytes(passwordLength)
            let salt = random.bytes(16)
            #expect(
                try PBKDF2.deriveKey(password: password, salt: salt, iterations: 64007, length: 32)
                    == PBKDF2.deriveKeyWithOpenSSL(password: password, salt: salt, iterations: 64007, length: 32))
        }
    }

    @Test("Equal to Python's hashlib.pbkdf2_hmac", .enabled(if: TestPeers.shouldRun(TestPeers.python != nil)))
    func equalToHashlib() async throws {
        let python = try #require(TestPeers.python, "the test venv's python (COMMUNITYMAIL_VENV)")
        let cases = Self.cases(seed: 0xfeed_cafe, count: 30, hash: .sha256) + Self.cases(seed: 0xfeed_beef, count: 10, hash: .sha1)
        let folder = try TemporaryDirectory(prefix: "pbkdf2-hashlib")
        let input = cases.map { [Hex.encode($0.password), Hex.encode($0.salt), String($0.iterations), String($0.length), $0.hash.rawValue.lowercased()].joined(separator: " ") }
        try Data(input.joined(separator: "\n").utf8).write(to: folder.url.appendingPathComponent("cases"))
        let script = """
            import hashlib, sys
            for line in open(sys.argv[1]).read().split("\\n"):
                p, s, c, n, h = line.split(" ")
                print(hashlib.pbkdf2_hmac(h, bytes.fromhex(p), bytes.fromhex(s), int(c), int(n)).hex())
            """
        let (status, output) = try await ChildProcess.run(python, ["-c", script, folder.path("cases")])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == cases.count, "\(output)")
        for (testCase, line) in zip(cases, lines) {
            let ours = try PBKDF2.deriveKey(
                password: testCase.password, salt: testCase.salt, iterations: testCase.iterations, length: testCase.length,
                hash: testCase.hash)
            #expect(Hex.encode(ours) == line, "\(testCase)")
        }
    }
}
