import DNSVerify
import MailAuth
import Testing

/// One row of the DMARC table: the DNS data, the message's From field(s), what SPF and
/// DKIM found, the pct roll, and the expected result (RFC 7489).
struct DMARCCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// TXT records by owner name (each string one record).
    var txt: [String: [String]] = [:]
    /// The From field values, one per field (empty: no From field).
    var from: [String] = ["Alice <alice@example.com>"]
    var spf: DMARCEvidence.SPF?
    var dkim: [String] = []
    /// The `d=` of signatures whose check hit a temporary error.
    var dkimTemporaryErrors: [String] = []
    /// Names whose TXT lookups fail with SERVFAIL.
    var failingNames: [String] = []
    /// What the pct roll returns (0 to 99).
    var roll = 0

    var status: DMARCResult.Status
    var disposition: DMARCRecord.Policy = .none
    var requested: DMARCRecord.Policy?
    var aligned: Set<DMARCResult.AlignedIdentifier> = []
    var usedOrganizationalDomain = false
    var sampledOut = false
    /// Why authheaders is not asked (or answers differently), or nil when the case overlaps
    /// what it implements and the results must agree.
    var peerDifference: String?

    var testDescription: String { name }

    static func spfPass(_ domain: String) -> DMARCEvidence.SPF { DMARCEvidence.SPF(domain: domain, outcome: .pass) }

    /// The zones every case's names live in (an authoritative answer for each).
    static let zones = ["com", "org", "net", "uk", "io", "jp"]
}
