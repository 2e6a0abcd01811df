import EncryptedMailbox
import Testing

@testable import MailAccess

/// LIST patterns (RFC 9051 section 6.3.9): `*` crosses levels, `%` does not, INBOX in any
/// case as the first level; long wildcard runs and patterns longer than the names cost
/// little.
@Suite("IMAP session: LIST patterns")
struct IMAPSessionListPatternTests {
    @Test("* and %, references, INBOX in any case, wildcard runs")
    func matching() {
        #expect(IMAPListPattern(reference: "", pattern: "*").matches("Work/Projects"))
        #expect(!IMAPListPattern(reference: "", pattern: "%").matches("Work/Projects"))
        #expect(IMAPListPattern(reference: "Work/", pattern: "%").matches("Work/Projects"))
        #expect(IMAPListPattern(reference: "", pattern: "inbox").matches("INBOX"))
        #expect(IMAPListPattern(reference: "", pattern: "Inbox/%").matches("INBOX/Sub"))
        #expect(!IMAPListPattern(reference: "", pattern: "inboxes").matches("INBOXES"))
        #expect(IMAPListPattern(reference: "", pattern: "W%%%s").matches("Works"))
        #expect(!IMAPListPattern(reference: "", pattern: "W%%%s").matches("W/s"))
        #expect(IMAPListPattern(reference: "", pattern: "W%*%s").matches("W/s"))
        #expect(IMAPListPattern(reference: "", pattern: "%/%") == IMAPListPattern(reference: "", pattern: "%%/%%%"))
    }

    @Test("A 60,000-character pattern: collapsed, answered")
    func hugePattern() {
        let pattern = IMAPListPattern(reference: "", pattern: String(repeating: "*%", count: 30_000) + "x")
        #expect(pattern.matches("Inbox/x"))
        #expect(!pattern.matches("Inbox/y"))
        #expect(!IMAPListPattern(reference: "", pattern: String(repeating: "a*", count: 30_000)).matches("aaaa"))
    }

    @Test("LIST with more distinct patterns than allowed is BAD [LIMIT]; repeated patterns count once")
    func patternLimit() async throws {
        let client = IMAPSessionDriver(InMemoryMailbox())
        let many = (0...100).map { "p\($0)" }.joined(separator: " ")
        #expect(try await client.run("a LIST \"\" (\(many))") == ["a BAD [LIMIT] too many LIST patterns"])
        let repeated = Array(repeating: "INBOX", count: 1_000).joined(separator: " ")
        #expect(try await client.run("b LIST \"\" (\(repeated))") == ["* LIST (\\HasNoChildren) \"/\" INBOX", "b OK LIST completed"])
    }
}
