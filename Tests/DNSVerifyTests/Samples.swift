import DNSVerify

/// Messages and names the wire-format and fuzz tests start from.
enum Samples {
    static func name(_ text: String) -> DNSName {
        do { return try DNSName(text) } catch { preconditionFailure("bad sample name \(text): \(error)") }
    }

    static func address(_ text: String) -> DNSAddress {
        do { return try DNSAddress(text) } catch { preconditionFailure("bad sample address \(text): \(error)") }
    }

    /// A response with one record of every supported type, EDNS and an unknown type.
    static var fullResponse: DNSMessage {
        let origin = name("example.org")
        let soa = DNSStartOfAuthority(primaryServer: name("ns1.example.org"), responsibleMailbox: name("hostmaster.example.org"),
                                      serial: 2026112901, refresh: 3600, retry: 600, expire: 86400, minimum: 300)
        return DNSMessage(
            header: DNSHeader(id: 0xBEEF, isResponse: true, isAuthoritative: true, recursionDesired: true, recursionAvailable: true),
            questions: [DNSQuestion(name: origin, type: .any)],
            answers: [
                DNSRecord(name: origin, ttl: 300, data: .a(address("192.0.2.1"))),
                DNSRecord(name: origin, ttl: 300, data: .aaaa(address("2001:db8::1"))),
                DNSRecord(name: name("www.example.org"), ttl: 60, data: .cname(origin)),
                DNSRecord(name: origin, ttl: 3600, data: .ns(name("ns1.example.org"))),
                DNSRecord(name: origin, ttl: 3600, data: .soa(soa)),
                DNSRecord(name: origin, ttl: 300, data: .mx(preference: 10, exchange: name("mx1.forwardemail.net"))),
                DNSRecord(name: origin, ttl: 300, data: .mx(preference: 20, exchange: name("mx2.forwardemail.net"))),
                DNSRecord(name: origin, ttl: 300, data: .txt([Array("v=spf1 include:spf.forwardemail.net".utf8), Array(" -all".utf8)])),
                DNSRecord(name: origin, ttl: 300, data: .unknown(type: DNSRecordType(rawValue: 99), data: [1, 2, 3])),
            ],
            authorities: [DNSRecord(name: origin, ttl: 3600, data: .ns(name("ns2.example.org")))],
            additionals: [
                DNSRecord(name: name("ns1.example.org"), ttl: 300, data: .a(address("192.0.2.53"))),
                DNSRecord(name: .root, ttl: 0, data: .opt([DNSOption(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])]),
                          recordClass: DNSRecordClass(rawValue: 1232)),
            ])
    }

    /// Seeds for mutation: a query, the full response, and negative answers.
    static var seeds: [[UInt8]] {
        var seeds: [[UInt8]] = []
        let query = DNSMessage.query(id: 7, question: DNSQuestion(name: name("_dmarc.example.org"), type: .txt))
        var nxdomain = fullResponse
        nxdomain.answers = []
        nxdomain.header.responseCode = 3
        for message in [query, fullResponse, nxdomain] {
            if let bytes = try? message.encoded() { seeds.append(bytes) }
        }
        return seeds
    }

    /// A header with the given counts.
    static func header(id: UInt16 = 1, flags: UInt16 = 0x8180, questions: UInt16 = 0, answers: UInt16 = 0) -> [UInt8] {
        [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF), 0, UInt8(questions), 0, UInt8(answers), 0, 0, 0, 0]
    }
}
