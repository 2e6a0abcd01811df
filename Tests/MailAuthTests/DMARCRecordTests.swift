import Testing

@testable import MailAuth

/// The DMARC record grammar (RFC 7489 section 6.3).
@Suite("DMARCRecord")
struct DMARCRecordTests {
    @Test("every tag is read; defaults where absent")
    func tags() throws {
        let record = try DMARCRecord(parsing: """
            v=DMARC1; p=quarantine; sp=reject; pct=25; adkim=s; aspf=s; \
            rua=mailto:agg@example.com,mailto:agg@example.net!10m; ruf=mailto:fail@example.com; fo=1:d; rf=afrf; ri=3600
            """)
        #expect(record.policy == .quarantine)
        #expect(record.subdomainPolicy == .reject)
        #expect(record.percentage == 25)
        #expect(record.dkimAlignment == .strict && record.spfAlignment == .strict)
        #expect(record.aggregateReportURIs == ["mailto:agg@example.com", "mailto:agg@example.net!10m"])
        #expect(record.failureReportURIs == ["mailto:fail@example.com"])
        #expect(record.failureReportingOptions == ["1", "d"])
        #expect(record.reportFormats == ["afrf"])
        #expect(record.reportInterval == 3600)
        #expect(!record.policyWasMissing)
        #expect(record.requestedPolicy(forSubdomain: true) == .reject)
        #expect(record.requestedPolicy(forSubdomain: false) == .quarantine)

        let defaults = try DMARCRecord(parsing: "v=DMARC1; p=none")
        #expect(defaults.subdomainPolicy == nil && defaults.percentage == 100)
        #expect(defaults.dkimAlignment == .relaxed && defaults.spfAlignment == .relaxed)
        #expect(defaults.failureReportingOptions == ["0"] && defaults.reportFormats == ["afrf"] && defaults.reportInterval == 86400)
        #expect(defaults.requestedPolicy(forSubdomain: true) == DMARCRecord.Policy.none)
    }

    @Test("invalid values fall back to defaults; the first of a repeated tag counts")
    func invalidValues() throws {
        let record = try DMARCRecord(parsing: "v=DMARC1; p=reject; p=none; pct=101; adkim=q; aspf=; fo=9; rf=; ri=-5")
        #expect(record.policy == .reject)
        #expect(record.percentage == 100)
        #expect(record.dkimAlignment == .relaxed && record.spfAlignment == .relaxed)
        #expect(record.failureReportingOptions == ["0"] && record.reportFormats == ["afrf"] && record.reportInterval == 86400)
        #expect(try DMARCRecord(parsing: "v=DMARC1; p=reject; pct=0").percentage == 0)
        #expect(try DMARCRecord(parsing: "v=DMARC1; p=reject; pct=-1").percentage == 100)
    }

    @Test("section 6.6.3 step 6: no valid p (or an invalid sp) is p=none only with a valid rua")
    func missingPolicy() throws {
        let fallback = try DMARCRecord(parsing: "v=DMARC1; sp=bogus; p=reject; rua=mailto:a@example.com")
        #expect(fallback.policy == DMARCRecord.Policy.none && fallback.policyWasMissing && fallback.subdomainPolicy == nil)
        #expect(throws: MailAuthError.invalidRecord) { try DMARCRecord(parsing: "v=DMARC1; p=reject; sp=bogus") }
        #expect(throws: MailAuthError.invalidRecord) { try DMARCRecord(parsing: "v=DMARC1; rua=not a uri") }
        #expect(throws: MailAuthError.invalidRecord) { try DMARCRecord(parsing: "v=DMARC1; p=; rua=") }
        #expect(try DMARCRecord(parsing: "v=DMARC1; rua=https://example.com/report").policyWasMissing)
    }

    @Test("what is and is not a DMARC record")
    func versionTag() {
        #expect(DMARCRecord.isDMARCRecord("v=DMARC1; p=none"))
        #expect(DMARCRecord.isDMARCRecord("v = DMARC1;p=none"))
        #expect(DMARCRecord.isDMARCRecord("v=DMARC1"))
        #expect(!DMARCRecord.isDMARCRecord("v=dmarc1; p=none"))
        #expect(!DMARCRecord.isDMARCRecord(" v=DMARC1; p=none"))
        #expect(!DMARCRecord.isDMARCRecord("p=none; v=DMARC1"))
        #expect(!DMARCRecord.isDMARCRecord("v=DMARC10; p=none"))
        #expect(!DMARCRecord.isDMARCRecord("v=spf1 -all"))
        #expect(!DMARCRecord.isDMARCRecord(""))
        #expect(throws: MailAuthError.invalidRecord) { try DMARCRecord(parsing: "v=DMARC1; p=reject; garbage") }
    }

    @Test("hostile records: typed errors or records, bounded")
    func hostile() {
        #expect(throws: MailAuthError.limitExceeded) { try DMARCRecord(parsing: "v=DMARC1; p=reject; " + String(repeating: "x", count: 70_000)) }
        let manyTags = "v=DMARC1; p=reject; " + (0..<10_000).map { "t\($0)=v" }.joined(separator: "; ")
        #expect(manyTags.count < DMARCRecord.maximumTextLength * 4)
        _ = try? DMARCRecord(parsing: String(manyTags.prefix(DMARCRecord.maximumTextLength)))
        var random = UInt64(0x9E37_79B9_7F4A_7C15)
        for _ in 0..<500 {
            var text = "v=DMARC1;"
            for _ in 0..<64 {
                random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: random >> 33) % 0x7f))
            }
            do {
                _ = try DMARCRecord(parsing: text)
            } catch {
                #expect(error == .invalidRecord)
            }
        }
    }
}
