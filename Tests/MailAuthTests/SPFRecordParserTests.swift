import Testing

@testable import MailAuth

/// The record grammar (RFC 7208 sections 4.5, 4.6, 5, 6): what parses, into what, and
/// every permerror case the RFC names.
@Suite("SPF: record parser")
struct SPFRecordParserTests {
    static func parse(_ text: String) throws -> SPFRecord { try SPFRecord(parsing: Array(text.utf8)) }

    @Test("version selection: v=spf1 in any case, then a space or the end")
    func version() {
        #expect(SPFRecord.isVersion1(Array("v=spf1".utf8)))
        #expect(SPFRecord.isVersion1(Array("V=SpF1 -all".utf8)))
        #expect(!SPFRecord.isVersion1(Array("v=spf10".utf8)))
        #expect(!SPFRecord.isVersion1(Array("v=spf1-all".utf8)))
        #expect(!SPFRecord.isVersion1(Array(" v=spf1".utf8)))
    }

    @Test("every mechanism and modifier, qualifiers, dual CIDR lengths")
    func everyTerm() throws {
        let record = try Self.parse(
            "v=spf1  +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx//48 mx:%{d}/0 ptr ptr:example.org "
                + "ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.bl.example.net redirect=_spf.example.org exp=exp.%{d} "
                + "moo.cow-far_out=man:dog/cat ")
        let kinds = record.mechanisms.map(\.kind)
        #expect(record.mechanisms.map(\.qualifier) == [.pass, .fail, .softfail, .neutral, .pass, .pass, .pass, .pass, .pass, .pass, .pass])
        #expect(kinds.count == 11)
        guard case .a(let spec, let lengths) = kinds[3] else { Issue.record("not a: \(kinds[3])"); return }
        #expect(spec != nil)
        #expect(lengths == SPFCIDRLengths(ipv4: 24, ipv6: 64))
        guard case .mx(nil, let mxLengths) = kinds[4] else { Issue.record("not mx: \(kinds[4])"); return }
        #expect(mxLengths == SPFCIDRLengths(ipv4: 32, ipv6: 48))
        guard case .ip4(let network) = kinds[8] else { Issue.record("not ip4"); return }
        #expect(network == SPFNetwork(bytes: [192, 0, 2, 0], prefixLength: 24))
        #expect(record.redirect != nil)
        #expect(record.explanation != nil)
    }

    @Test(
        "permerror cases",
        arguments: [
            "v=spf1 -all.", "v=spf1 -all:foo", "v=spf1 all/8", "v=spf1 foo", "v=spf1 redirect:example.com",
            "v=spf1 ip4:1.2.3.4 -all moo", "v=spf1 moo.cow/far_out=man", "v=spf1 1up=foo", "v=spf1 =all",
            "v=spf1 redirect=a.example.com redirect=b.example.com", "v=spf1 exp=a.example.com exp=b.example.com",
            "v=spf1 exp=", "v=spf1 redirect=", "v=spf1 redirect=-all", "v=spf1 include", "v=spf1 include:",
            "v=spf1 include:example.com/24", "v=spf1 exists", "v=spf1 exists:", "v=spf1 ptr:", "v=spf1 ptr/0", "v=spf1 a:",
            "v=spf1 a/33", "v=spf1 a//129", "v=spf1 a/24/64", "v=spf1 a/032", "v=spf1 a/9999999999999999999999",
            "v=spf1 a:museum", "v=spf1 a:abc.123", "v=spf1 a:example.-com", "v=spf1 a:example.com:8080", "v=spf1 ip4",
            "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4:8080", "v=spf1 ip4:1.2.3.4//32", "v=spf1 ip4:1.2.3.4/33",
            "v=spf1 ip4:01.2.3.4", "v=spf1 ip4:256.2.3.4", "v=spf1 ip4:1.2.3.4/", "v=spf1 ip4:::1", "v=spf1 ip6",
            "v=spf1 ip6:::1/129", "v=spf1 ip6:::1//64", "v=spf1 ip6::CAFE::BABE", "v=spf1 ip6:1.2.3.4", "v=spf1 foo=%abc",
            "v=spf1 exists:%{ir}.%{c}.example.com", "v=spf1 a:foo.example.com\u{0}", "v=spf1 a:ctrl.example.com\rptr",
            "v=spf1 ip4:192.0.2.5\n", "v=spf1 a:\u{EF}garbage.example.net", "v=spf1 a:%{x}.example.com", "v=spf1 exp=%{r}.example.com",
        ])
    func permerrors(text: String) {
        #expect(throws: SPFSyntaxError.self) { try Self.parse(text) }
    }

    @Test("CIDR matching: prefix bits, families never mixed")
    func networks() {
        let network = SPFNetwork(bytes: [192, 0, 2, 128], prefixLength: 25)
        #expect(network.contains([192, 0, 2, 200]))
        #expect(!network.contains([192, 0, 2, 127]))
        #expect(SPFNetwork(bytes: [0, 0, 0, 0], prefixLength: 0).contains([203, 0, 113, 9]))
        #expect(!SPFNetwork(bytes: [UInt8](repeating: 0, count: 16), prefixLength: 0).contains([203, 0, 113, 9]))
    }
}
