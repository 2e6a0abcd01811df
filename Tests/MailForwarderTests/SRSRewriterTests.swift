import CommunityMailSystem
import Foundation
import MailForwarder
import Testing

/// `SRSRewriter` on its own: the address format, round trips, SRS1, rotation, the day
/// stamp's window and wraparound, and what it refuses. What the peers produce is pinned by
/// `SRSKnownAnswerTests` and `SRSInteropTests`.
@Suite("SRSRewriter")
struct SRSRewriterTests {
    static let domain = "srs.example.net"
    /// 2027-01-15 08:00 UTC: day 20833, slot 353, stamp "LB".
    let clock = ManualClock()

    func rewriter(
        secrets: [String] = ["first secret"], clock: (any ServiceClock)? = nil, change: (inout SRSRewriter.Configuration) -> Void = { _ in }
    ) throws -> SRSRewriter {
        var configuration = SRSRewriter.Configuration(domain: Self.domain, secrets: secrets)
        configuration.clock = clock ?? self.clock
        change(&configuration)
        return try SRSRewriter(configuration: configuration)
    }

    /// The fields of an SRS0 address: hash, stamp, domain, local part.
    func fields(_ address: String) -> [Substring] {
        let local = address[..<address.lastIndex(of: "@")!]
        return local.dropFirst(5).split(separator: "=", maxSplits: 3, omittingEmptySubsequences: false)
    }

    @Test("an ordinary sender becomes SRS0=HHHH=TT=domain=local@srs-domain and reverses to itself")
    func srs0() throws {
        let srs = try rewriter()
        let address = try srs.forward("alice@origin.example")
        #expect(address.hasPrefix("SRS0="))
        #expect(address.hasSuffix("=LB=origin.example=alice@srs.example.net"))
        let hash = fields(address)[0]
        #expect(hash.count == 4)
        let base64 = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        #expect(hash.allSatisfy { base64.contains($0) })
        #expect(try srs.reverse(address) == "alice@origin.example")
        #expect(srs.isSRSAddress(address))
        #expect(!srs.isSRSAddress("alice@origin.example"))
    }

    @Test("local parts with = and +, capitals, UTF-8 (SMTPUTF8) and 64 bytes round-trip byte for byte",
          arguments: [
            "a=b@x.org", "user+tag@example.com", "first.last+a=b@sub.example.co.uk", "==@x.org", "a=@x.org",
            "Alice.Smith@Origin.Example", "UPPER@EXAMPLE.ORG", "jürgen@müller.example", "JÜRGEN@x.example", "用户@例子.example",
            "o'brien&co{1}@example.org", String(repeating: "a", count: 64) + "@example.org",
          ])
    func roundTrip(sender: String) throws {
        let srs = try rewriter()
        let address = try srs.forward(sender)
        #expect(address.hasPrefix("SRS0="))
        #expect(try srs.reverse(address) == sender)
        // The host keeps its case in the address; only the hash input is lower-cased.
        let host = sender[sender.index(after: sender.lastIndex(of: "@")!)...]
        #expect(fields(address)[2] == host)
    }

    @Test("a 64-byte local part gives an SRS0 local part over RFC 5321's 64 octets, as every peer does")
    func longLocalPart() throws {
        let address = try rewriter().forward(String(repeating: "a", count: 64) + "@example.org")
        #expect(address.split(separator: "@")[0].utf8.count > 64)
    }

    @Test("the hash covers the day stamp, domain and local part without regard to ASCII case")
    func hashIgnoresASCIICase() throws {
        let srs = try rewriter()
        #expect(fields(try srs.forward("Alice@Origin.Example"))[0] == fields(try srs.forward("alice@origin.example"))[0])
        #expect(fields(try srs.forward("bob@origin.example"))[0] != fields(try srs.forward("alice@origin.example"))[0])
        // Non-ASCII capitals are not lowered (postsrsd and python3-srs lower bytes, ASCII only).
        #expect(fields(try srs.forward("JÜRGEN@x.example"))[0] != fields(try srs.forward("jürgen@x.example"))[0])
    }

    @Test("the null sender and senders on our domains are never rewritten")
    func notRewritten() throws {
        let srs = try rewriter { $0.localDomains = ["members.example.org"] }
        for sender in ["", "<>", "bob@srs.example.net", "bob@SRS.Example.NET", "ana@members.example.org", "ana@MEMBERS.example.org"] {
            #expect(try srs.forward(sender) == sender)
        }
        // An SRS address we made is on our domain: forwarding it again changes nothing.
        let ours = try srs.forward("alice@origin.example")
        #expect(try srs.forward(ours) == ours)
        // A subdomain is another domain.
        #expect(try srs.forward("ana@sub.members.example.org").hasPrefix("SRS0="))
    }

    @Test("another forwarder's SRS0 becomes SRS1 (any tag case and separator), which reverses to that SRS0")
    func srs1FromForeignSRS0() throws {
        let srs = try rewriter()
        for (sender, opaque) in [
            ("SRS0=HHHH=TT=other.org=bob@fwd1.example", "=HHHH=TT=other.org=bob"),
            ("srs0=abcd=ZZ=other.org=bob@fwd1.example", "=abcd=ZZ=other.org=bob"),
            ("SRS0+xyz=AB=orig.example=u@fwd1.example", "+xyz=AB=orig.example=u"),
        ] {
            let address = try srs.forward(sender)
            #expect(address.hasPrefix("SRS1="))
            #expect(address.hasSuffix("=fwd1.example=\(opaque)@srs.example.net"))
            #expect(try srs.reverse(address) == "SRS0" + opaque + "@fwd1.example")
        }
    }

    @Test("an SRS1 sender keeps its first forwarder and opaque part; only the hash is ours")
    func srs1Reforwarded() throws {
        let first = try rewriter(secrets: ["forwarder one"])
        let second = try rewriter(secrets: ["forwarder two"]) { $0.domain = "fwd2.example" }
        let third = try rewriter(secrets: ["forwarder three"]) { $0.domain = "fwd3.example" }
        let srs0 = try first.forward("alice@origin.example")
        let srs1 = try second.forward(srs0)
        #expect(srs1.hasPrefix("SRS1="))
        let again = try third.forward(srs1)
        #expect(again.hasPrefix("SRS1="))
        #expect(again.hasSuffix("=srs.example.net==" + srs0.dropFirst(5).split(separator: "@")[0] + "@fwd3.example"))
        // Bounce path: third → first forwarder's SRS0 → first → alice.
        let back = try third.reverse(again)
        #expect(back == srs0)
        #expect(try first.reverse(back) == "alice@origin.example")
        #expect(try second.reverse(srs1) == srs0)
    }

    @Test("an SRS1 sender without hash, forwarder or SRS0 part is malformed",
          arguments: ["SRS1=@fwd2.example", "SRS1==fwd1==x@fwd2.example", "SRS1=abcd=fwd1@fwd2.example", "SRS1=abcd=fwd1=@fwd2.example"])
    func malformedSRS1Sender(sender: String) throws {
        #expect(throws: SRSError.malformedAddress) { try rewriter().forward(sender) }
    }

    @Test("the separator after the tag is configurable; every other separator stays =")
    func separators() throws {
        for separator in SRSRewriter.Separator.allCases {
            let srs = try rewriter { $0.separator = separator }
            let address = try srs.forward("a=b@x.org")
            #expect(address.hasPrefix("SRS0" + separator.rawValue))
            #expect(address.hasSuffix("=LB=x.org=a=b@srs.example.net"))
            #expect(try srs.reverse(address) == "a=b@x.org")
            #expect(try srs.forward("SRS0=HHHH=TT=o.org=b@fwd1.example").hasPrefix("SRS1" + separator.rawValue))
        }
    }

    @Test("a longer hash length gives that many characters, and a reversed hash must have exactly it")
    func hashLength() throws {
        let long = try rewriter { $0.hashLength = 10 }
        let address = try long.forward("alice@origin.example")
        #expect(fields(address)[0].count == 10)
        #expect(try long.reverse(address) == "alice@origin.example")
        // The first 4 characters of the long hash are the default rewriter's hash.
        let short = try rewriter()
        let shortAddress = try short.forward("alice@origin.example")
        #expect(fields(address)[0].prefix(4) == fields(shortAddress)[0])
        // postsrsd would accept the longer hash (it compares the first hash-length bytes); we do not.
        #expect(throws: SRSError.invalidHash) { try short.reverse(address) }
    }

    @Test("rotation: the first secret signs, every secret verifies, a dropped secret no longer does")
    func rotation() throws {
        let old = try rewriter(secrets: ["old secret"])
        let rotated = try rewriter(secrets: ["new secret", "old secret"])
        let new = try rewriter(secrets: ["new secret"])
        let byOld = try old.forward("alice@origin.example")
        #expect(try rotated.reverse(byOld) == "alice@origin.example")
        #expect(try rotated.forward("alice@origin.example") == new.forward("alice@origin.example"))
        #expect(throws: SRSError.invalidHash) { try new.reverse(byOld) }
        #expect(throws: SRSError.invalidHash) { try old.reverse(rotated.forward("alice@origin.example")) }
        // SRS1 hashes rotate the same way.
        let srs1 = try old.forward("SRS0=HHHH=TT=other.org=bob@fwd1.example")
        #expect(try rotated.reverse(srs1) == "SRS0=HHHH=TT=other.org=bob@fwd1.example")
        #expect(throws: SRSError.invalidHash) { try new.reverse(srs1) }
    }

    @Test("a hash is accepted in either case (a relay may smash the local part's case)")
    func hashCaseInsensitive() throws {
        let srs = try rewriter()
        let address = try srs.forward("alice@origin.example")
        let local = address[..<address.lastIndex(of: "@")!]
        #expect(try srs.reverse(local.lowercased() + "@srs.example.net") == "alice@origin.example")
        #expect(try srs.reverse(local.uppercased() + "@SRS.EXAMPLE.NET") == "ALICE@ORIGIN.EXAMPLE")
        let srs1 = try srs.forward("SRS0=HHHH=TT=other.org=bob@fwd1.example")
        #expect(try srs.reverse(srs1.uppercased()) == "SRS0=HHHH=TT=OTHER.ORG=BOB@FWD1.EXAMPLE")
    }

    @Test("a tampered hash, domain, local part, stamp or a hash of another length is refused as invalidHash")
    func tampered() throws {
        let srs = try rewriter()
        let address = try srs.forward("alice@origin.example")
        let parts = fields(address)
        let hash = String(parts[0])
        let flipped = String(hash.dropLast()) + (hash.last == "A" ? "B" : "A")
        for forged in [
            "SRS0=\(flipped)=LB=origin.example=alice@srs.example.net",
            "SRS0=\(hash)=LB=origin.example=mallory@srs.example.net",
            "SRS0=\(hash)=LB=evil.example=alice@srs.example.net",
            "SRS0=\(hash)=LC=origin.example=alice@srs.example.net",
            "SRS0=\(hash.dropLast())=LB=origin.example=alice@srs.example.net",
            "SRS0=\(hash)A=LB=origin.example=alice@srs.example.net",
            "SRS1=\(hash)=origin.example==alice@srs.example.net",
        ] {
            #expect(throws: SRSError.invalidHash, "\(forged)") { try srs.reverse(forged) }
        }
        // Made with a secret this rewriter does not hold: the same refusal.
        let stranger = try rewriter(secrets: ["someone else"]).forward("alice@origin.example")
        #expect(throws: SRSError.invalidHash) { try srs.reverse(stranger) }
    }

    @Test("a stamp up to 21 days old reverses; 22 days is expired")
    func maximumAge() throws {
        let clock = ManualClock()
        let srs = try rewriter(clock: clock)
        let address = try srs.forward("alice@origin.example")
        clock.advance(by: .seconds(21 * 86_400))
        #expect(try srs.reverse(address) == "alice@origin.example")
        clock.advance(by: .seconds(86_400))
        #expect(throws: SRSError.expired) { try srs.reverse(address) }
        clock.advance(by: .seconds(400 * 86_400))
        #expect(throws: SRSError.expired) { try srs.reverse(address) }
    }

    @Test("a stamp one day ahead is tolerated by default; two days ahead, or one with no tolerance, is from the future")
    func future() throws {
        let ahead = ManualClock()
        let now = ManualClock()
        ahead.advance(by: .seconds(86_400))
        let fromTomorrow = try rewriter(clock: ahead).forward("alice@origin.example")
        #expect(try rewriter(clock: now).reverse(fromTomorrow) == "alice@origin.example")
        #expect(throws: SRSError.timestampInFuture) {
            try rewriter(clock: now) { $0.futureTolerance = 0 }.reverse(fromTomorrow)
        }
        ahead.advance(by: .seconds(86_400))
        let fromTwoDaysOn = try rewriter(clock: ahead).forward("alice@origin.example")
        #expect(throws: SRSError.timestampInFuture) { try rewriter(clock: now).reverse(fromTwoDaysOn) }
    }

    @Test("the 10-bit day counter wraps: a stamp from slot 1020 still reverses 10 days later at slot 6")
    func wraparound() throws {
        // Day 20480 is slot 0 (20480 = 20 × 1024); slot 1020 is 4 days before it.
        let clock = ManualClock(start: Date(timeIntervalSince1970: Double(20_480 - 4) * 86_400 + 3_600))
        let srs = try rewriter(clock: clock)
        let address = try srs.forward("alice@origin.example")
        #expect(address.contains("=74="))  // 1020 = 31 × 32 + 28
        clock.advance(by: .seconds(10 * 86_400))
        #expect(try srs.forward("alice@origin.example").contains("=AG="))  // slot 6
        #expect(try srs.reverse(address) == "alice@origin.example")
        clock.advance(by: .seconds(12 * 86_400))
        #expect(throws: SRSError.expired) { try srs.reverse(address) }
        // After a whole cycle the stamp reads as new again: inherent in a 2-character stamp,
        // as in every peer; the hash still binds it to the sender.
        clock.advance(by: .seconds(Double(1024 - 22) * 86_400))
        #expect(try srs.reverse(address) == "alice@origin.example")
    }

    @Test("garbage is refused with a typed error whose text never contains the address",
          arguments: [
            ("nodomain", SRSError.malformedAddress), ("@srs.example.net", .malformedAddress), ("alice@", .malformedAddress),
            ("a@b@srs.example.net", .malformedAddress), ("al ice@srs.example.net", .malformedAddress),
            ("alice\r\n@srs.example.net", .malformedAddress), ("al\u{7F}ice@srs.example.net", .malformedAddress),
            ("alice@srs.example.net", .notSRSAddress), ("SRS0=abcd=LB=origin.example=alice@elsewhere.example", .notSRSAddress),
            ("SRS2=abcd=LB=origin.example=alice@srs.example.net", .notSRSAddress), ("SRS0@srs.example.net", .notSRSAddress),
            ("SRS0x=abcd=LB=o=a@srs.example.net", .notSRSAddress),
            ("SRS0=abcd@srs.example.net", .malformedAddress), ("SRS0=abcd=LB@srs.example.net", .malformedAddress),
            ("SRS0=abcd=LB=origin.example@srs.example.net", .malformedAddress),
            ("SRS0=abcd=LB=origin.example=@srs.example.net", .malformedAddress),
            ("SRS0==LB=origin.example=alice@srs.example.net", .malformedAddress),
            ("SRS1=abcd@srs.example.net", .malformedAddress), ("SRS1=abcd=fwd1@srs.example.net", .malformedAddress),
            ("SRS0=abcd=LB=origin.example=alice@srs.example.net", .invalidHash),
            (String(repeating: "x", count: 600) + "@srs.example.net", .malformedAddress),
          ] as [(String, SRSError)])
    func garbage(address: String, expected: SRSError) throws {
        let srs = try rewriter()
        do {
            _ = try srs.reverse(address)
            Issue.record("reversed \(address)")
        } catch {
            #expect(error == expected)
            #expect(!error.description.contains("alice"))
            #expect(!error.description.contains("srs.example"))
            #expect(!error.isTransient)
        }
        #expect(!srs.isSRSAddress(address) || expected != .notSRSAddress)
    }

    @Test("forward refuses senders it cannot carry: quoted local parts and domain literals as unsupported, the rest as malformed",
          arguments: [
            ("\"john doe\"@example.org", SRSError.unsupportedAddress), ("\"a@b\"@example.org", .unsupportedAddress),
            ("john@[192.0.2.1]", .unsupportedAddress), ("john@[IPv6:2001:db8::1]", .unsupportedAddress),
            ("nodomain", .malformedAddress), ("john@", .malformedAddress), ("@example.org", .malformedAddress),
            ("a@b@example.org", .malformedAddress), ("john doe@example.org", .malformedAddress),
            ("john@exa=mple.org", .malformedAddress), ("john\0@example.org", .malformedAddress),
            ("<john@example.org>", .malformedAddress), ("john@example.org>", .malformedAddress),
            ("jo\\hn@example.org", .malformedAddress), ("john@exa(mple).org", .malformedAddress),
            ("john@example.org;x", .malformedAddress), ("john@exa,mple.org", .malformedAddress),
            (String(repeating: "x", count: 500) + "@example.org", .malformedAddress),
          ] as [(String, SRSError)])
    func refusedSenders(sender: String, expected: SRSError) throws {
        let srs = try rewriter()
        do {
            _ = try srs.forward(sender)
            Issue.record("rewrote \(sender)")
        } catch {
            #expect(error == expected)
            #expect(!error.description.contains("john"))
            #expect(!error.description.contains("example"))
        }
    }

    @Test("a rewritten address may be as long as the limit, and then reverses; a sender that would exceed it is refused")
    func lengthLimit() throws {
        let srs = try rewriter()
        let overhead = try srs.forward("x@example.org").utf8.count - 1
        let longest = String(repeating: "x", count: SRSRewriter.maximumAddressLength - overhead) + "@example.org"
        let address = try srs.forward(longest)
        #expect(address.utf8.count == SRSRewriter.maximumAddressLength)
        #expect(try srs.reverse(address) == longest)
        #expect(throws: SRSError.malformedAddress) { try srs.forward("x" + longest) }
    }

    @Test("configurations that cannot work are refused", arguments: 0..<8)
    func invalidConfiguration(index: Int) throws {
        let changes: [(inout SRSRewriter.Configuration) -> Void] = [
            { $0.secrets = [] }, { $0.secrets = [[1], []] }, { $0.hashLength = 3 }, { $0.hashLength = 28 },
            { $0.maximumAge = 0 }, { $0.maximumAge = 1_023 }, { $0.domain = "" }, { $0.localDomains = ["a@b.example"] },
        ]
        #expect(throws: SRSError.invalidConfiguration) { try rewriter(change: changes[index]) }
    }

    @Test("a configuration's description leaves the secrets out")
    func configurationDescription() throws {
        let configuration = SRSRewriter.Configuration(domain: Self.domain, secrets: ["very-secret-key", "older-secret"])
        let text = "\(configuration) \(String(reflecting: configuration))"
        #expect(!text.contains("very-secret-key"))
        #expect(!text.contains("older-secret"))
        #expect(text.contains("secrets: 2"))
    }
}
