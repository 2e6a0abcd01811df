import CommunityMailTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of fetchmail pulling every message of `alice` from a POP3 server fixture over
/// STLS (checking the certificate against the fixture's test authority), each message
/// delivered to a file of its own in ``deliveredFolder``.
struct FetchmailPull {
    /// fetchmail's exit status.
    let status: Int32
    /// What fetchmail printed.
    let output: String
    /// The folder holding one file per delivered message.
    let deliveredFolder: String
    private let work: TemporaryDirectory

    /// Runs fetchmail once; `keep` leaves the messages on the server, else it deletes them.
    /// - Throws: `PeerError` when fetchmail is not installed or the fixture has no TLS.
    static func run(from fixture: POP3ServerFixture, keep: Bool) async throws -> FetchmailPull {
        guard let fetchmail = TestPeers.executable("fetchmail") else { throw PeerError("fetchmail is not installed") }
        guard let authority = fixture.certificates?.authority else { throw PeerError("the fixture has no certificate for STLS") }
        let work = try TemporaryDirectory(prefix: "fetchmail")
        let out = work.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let rc = work.path("fetchmailrc")
        // Each message to a file of its own (a message's own fields tell the check which it is).
        try """
            set no bouncemail
            poll localhost via 127.0.0.1 service \(fixture.port) protocol POP3 auth password
              user "alice" there with password "secret1" is root here
              sslproto 'TLS1.2+' sslcommonname "localhost" sslcertck sslcertfile "\(authority)"
              fetchall \(keep ? "keep" : "nokeep")
              mda "/bin/sh -c 'cat > \(out)/$$-$(date +%s%N)'"
            """.write(toFile: rc, atomically: true, encoding: .utf8)
        chmod(rc, 0o600)
        let environment = ChildProcess.environment(adding: ["FETCHMAILHOME": work.url.path, "HOME": work.url.path])
        let (status, output) = try await ChildProcess.run(fetchmail, ["--nodetach", "-f", rc, "--pidfile", work.path("pid")], environment: environment)
        return FetchmailPull(status: status, output: output, deliveredFolder: out, work: work)
    }

    /// The delivered messages' texts, in the order of their file names.
    func deliveredTexts() throws -> [String] { try POP3ClientInteropTests.files(in: deliveredFolder) }
}
