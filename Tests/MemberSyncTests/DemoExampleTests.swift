import CommunityMailTestSupport
import Foundation
import Testing

/// `swift run demo`, the README's first command: it must tell the whole story and exit 0.
@Suite("The end-to-end demo", .enabled(if: TestPeers.shouldRun(DemoBinary.url != nil)))
struct DemoExampleTests {
    @Test("Sign-in, provisioning, DNS verification, delivery into the encrypted mailbox, and removal")
    func story() async throws {
        let binary = try #require(DemoBinary.url, "build the examples first (swift build)")
        let (status, output) = try await ChildProcess.run(binary, [])
        #expect(status == 0, "\(output)")
        for line in [
            "kubuntu.org: fail", "identity: ana <ana@example.org>", "the same assertion replayed: refused",
            "created ana@ubuntu.com -> ana@example.org", "no address on kubuntu.org",
            "refused: you have not signed the Ubuntu Code of Conduct", "forward to ana@example.org",
            "\"marmalade\" appears in no file: true", "another passphrase opens nothing",
            "removed 1", "mail to ana@ubuntu.com is now refused: 550 5.1.1", "ana@lubuntu.me still forwards",
        ] {
            #expect(output.contains(line), "missing: \(line)")
        }
    }
}

/// The built demo, in `.build/debug`.
enum DemoBinary {
    static var url: URL? { TestPeers.builtExecutable("demo") }
}
