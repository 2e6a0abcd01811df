import CommunityMailTestSupport
import Foundation
import MailAccess
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real POP3 clients pull the mailbox over STLS (and POP3S) with the test certificate:
/// mpop and fetchmail deliver every message, curl lists and fetches. What they got must be
/// the stored messages, byte for byte once line ends are normalised (RFC 1939 sends CRLF)
/// and the trace field a client adds on delivery is taken off.
@Suite(.enabled(if: TestPeers.shouldRun(["mpop", "fetchmail", "curl"].allSatisfy { TestPeers.executable($0) != nil })))
struct POP3ClientInteropTests {
    /// `content` with LF line ends and a final line end (as a delivering client keeps it).
    static func normalized(_ content: [UInt8]) -> String {
        var text = String(decoding: content, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// `text` without leading trace fields a delivering client added (Received, and
    /// fetchmail's envelope note), each with its folded lines.
    static func withoutAddedTrace(_ text: String, fields: [String]) -> String {
        var lines = text.components(separatedBy: "\n")
        while let first = lines.first, fields.contains(where: { first.lowercased().hasPrefix($0.lowercased() + ":") }) {
            lines.removeFirst()
            while let next = lines.first, next.hasPrefix(" ") || next.hasPrefix("\t") { lines.removeFirst() }
        }
        return lines.joined(separator: "\n")
    }

    static func files(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name)), as: UTF8.self)
        }
    }

    @Test func mpopPullsEveryMessage() async throws {
        let fixture = try await POP3ServerFixture.start()
        let work = try TemporaryDirectory(prefix: "mpop")
        let maildir = work.path("Maildir")
        for sub in ["cur", "new", "tmp"] { try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        let rc = work.path("mpoprc")
        try """
            account default
            host 127.0.0.1
            port \(fixture.port)
            tls on
            tls_starttls on
            tls_trust_file \(try #require(fixture.certificates).authority)
            auth plain
            user alice
            password secret1
            delivery maildir \(maildir)
            keep on
            uidls_file \(work.path("uidls"))
            """.write(toFile: rc, atomically: true, encoding: .utf8)
        chmod(rc, 0o600)
        let mpop = try #require(TestPeers.executable("mpop"))
        let (status, output) = try await ChildProcess.run(mpop, ["-C", rc, "-q"])
        #expect(status == 0, "\(output)")
        let got = try Self.files(in: "\(maildir)/new").map { Self.withoutAddedTrace($0, fields: ["Received", "X-Mpop"]) }
        #expect(Set(got) == Set(POP3TestMessages.all.map(Self.normalized)))
        #expect(got.count == POP3TestMessages.all.count)
        // A second run: the unique-ids are known, nothing is fetched again.
        let (again, againOutput) = try await ChildProcess.run(mpop, ["-C", rc, "-q"])
        #expect(again == 0, "\(againOutput)")
        #expect(try Self.files(in: "\(maildir)/new").count == POP3TestMessages.all.count)
        await fixture.stop()
        #expect(try await fixture.inboxContents() == POP3TestMessages.all)
    }

    @Test func fetchmailPullsAndDeletes() async throws {
        let fixture = try await POP3ServerFixture.start()
        let pull = try await FetchmailPull.run(from: fixture, keep: false)
        #expect(pull.status == 0, "\(pull.output)")
        let got = try pull.deliveredTexts().map { Self.withoutAddedTrace($0, fields: ["Received"]) }
        #expect(Set(got) == Set(POP3TestMessages.all.map(Self.normalized)))
        #expect(got.count == POP3TestMessages.all.count)
        await fixture.stop()
        #expect(try await fixture.inboxContents().isEmpty)
    }

    @Test func curlListsAndFetches() async throws {
        let fixture = try await POP3ServerFixture.start()
        let curl = try #require(TestPeers.executable("curl"))
        let authority = try #require(fixture.certificates).authority
        let common = ["-s", "-S", "--cacert", authority, "-u", "alice:secret1"]
        let (listStatus, listing) = try await ChildProcess.run(curl, common + ["--ssl-reqd", "pop3://127.0.0.1:\(fixture.port)/"])
        #expect(listStatus == 0, "\(listing)")
        let sizes = POP3TestMessages.all.map { POP3MessageEncoder.normalizedSize(of: $0) }
        #expect(listing.replacingOccurrences(of: "\r\n", with: "\n") == sizes.enumerated().map { "\($0.offset + 1) \($0.element)\n" }.joined())
        let tlsPort = try #require(fixture.implicitTLSPort)
        for (index, message) in POP3TestMessages.all.enumerated() {
            let folder = try TemporaryDirectory(prefix: "curl")
            let file = folder.path("m")
            let url = index % 2 == 0 ? "pop3://127.0.0.1:\(fixture.port)/\(index + 1)" : "pop3s://127.0.0.1:\(tlsPort)/\(index + 1)"
            let (status, output) = try await ChildProcess.run(curl, common + ["--ssl-reqd", "-o", file, url])
            #expect(status == 0, "\(output)")
            let got = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(Self.normalized(Array(got)) == Self.normalized(message), "message \(index + 1) over \(url.prefix(5))")
            // What curl received has CRLF line ends only.
            #expect(!String(decoding: got, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        }
        await fixture.stop()
    }
}
