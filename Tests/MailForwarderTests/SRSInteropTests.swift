import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Testing

/// `SRSRewriter` against live peers with the same secret and the real clock: postsrsd over
/// its tcp_table protocol on two loopback ports (its own secret and pid files, stopped by
/// the test), python3-srs and srslib in child processes. The day is in every SRS0 address,
/// so a comparison made across midnight UTC is retried once.
@Suite("SRS interop with postsrsd, python3-srs and srslib", .serialized,
       .enabled(if: TestPeers.shouldRun(PostSRSDProcess.isAvailable && PythonSRSPeer.areAvailable)))
struct SRSInteropTests {
    static let domain = "fwd.example.net"
    static let secret = "interop-s3cret"
    static let senders = [
        "alice@origin.example", "Alice.Smith@Origin.Example", "a=b@x.org", "user+tag@example.com", "first.last+a=b@sub.example.co.uk",
        "jürgen@müller.example", "JÜRGEN@x.example", String(repeating: "a", count: 64) + "@example.org",
        "SRS0=HHHH=TT=other.org=bob@fwd1.example", "SRS0+xyz=AB=orig.example=u@fwd1.example",
        "SRS1=abcd=fwd1.example==HHHH=TT=orig=u@fwd2.example",
    ]

    func rewriter(secrets: [String] = [secret]) throws -> SRSRewriter {
        try SRSRewriter(configuration: SRSRewriter.Configuration(domain: Self.domain, secrets: secrets))
    }

    /// `text` with ASCII capitals lowered, as a relay that smashes case would (a UTF-8
    /// capital stays: the hash covers it as it is).
    static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Runs `body` and runs it again if the UTC day changed meanwhile (every SRS0 address
    /// carries the day: a comparison across midnight would compare two days).
    func onOneDay<T>(_ body: () async throws -> T) async throws -> T {
        let day = { Int(Date().timeIntervalSince1970 / 86_400) }
        let before = day()
        let result = try await body()
        return before == day() ? result : try await body()
    }

    @Test("postsrsd's forward equals ours; it reverses our SRS0 and SRS1 and we reverse its")
    func postsrsd() async throws {
        let peer = try await PostSRSDProcess(domain: Self.domain, secrets: [Self.secret])
        defer { peer.stop() }
        let srs = try rewriter()
        let (theirs, ours) = try await onOneDay {
            (try await peer.forward(Self.senders), try Self.senders.map { try srs.forward($0) })
        }
        #expect(theirs == ours.map(Optional.some), "postsrsd: \(peer.process.output)")

        // It reverses what we made: SRS0 to the sender, SRS1 to the first forwarder's SRS0.
        let reversedByPeer = try await peer.reverse(ours)
        let expected = try ours.map { try srs.reverse($0) }
        #expect(reversedByPeer == expected.map(Optional.some))
        for (sender, back) in zip(Self.senders, reversedByPeer) where !sender.uppercased().hasPrefix("SRS") {
            #expect(back == sender)
        }
        // And we reverse what it made (including a hash whose case a relay smashed).
        for (sender, address) in zip(Self.senders, theirs) {
            guard let address else { continue }
            let back = try srs.reverse(address)
            #expect(Self.asciiLowercased(try srs.reverse(Self.asciiLowercased(address))) == Self.asciiLowercased(back))
            if !sender.uppercased().hasPrefix("SRS") { #expect(back == sender) }
        }
        // Its own domain and the null-sender convention: unchanged by both.
        #expect(try await peer.forward(["bob@fwd.example.net"]) == ["bob@fwd.example.net"])
        #expect(try srs.forward("bob@fwd.example.net") == "bob@fwd.example.net")
    }

    @Test("postsrsd refuses what we refuse: a tampered hash and an address that is not SRS")
    func postsrsdRefusals() async throws {
        let peer = try await PostSRSDProcess(domain: Self.domain, secrets: [Self.secret])
        defer { peer.stop() }
        let srs = try rewriter()
        let good = try srs.forward("alice@origin.example")
        let hash = good.dropFirst(5).prefix(4)
        let tampered = good.replacingOccurrences(of: "SRS0=\(hash)=", with: "SRS0=\(hash.first == "A" ? "B" : "A")\(hash.dropFirst())=")
        let forgedSender = good.replacingOccurrences(of: "=alice@", with: "=mallory@")
        #expect(try await peer.reverse([tampered, forgedSender, "alice@fwd.example.net"]) == [nil, nil, nil])
        #expect(throws: SRSError.invalidHash) { try srs.reverse(tampered) }
        #expect(throws: SRSError.invalidHash) { try srs.reverse(forgedSender) }
        #expect(throws: SRSError.notSRSAddress) { try srs.reverse("alice@fwd.example.net") }
    }

    @Test("rotation agrees with postsrsd: its old secret behind a new one reverses our old addresses, and the reverse")
    func rotation() async throws {
        let peer = try await PostSRSDProcess(domain: Self.domain, secrets: ["new-secret", Self.secret])
        defer { peer.stop() }
        let old = try rewriter()
        let rotated = try rewriter(secrets: ["new-secret", Self.secret])
        let (byPeer, byUs) = try await onOneDay {
            (try await peer.forward(["alice@origin.example"]), [try rotated.forward("alice@origin.example")])
        }
        #expect(byPeer == byUs.map(Optional.some))
        #expect(try await peer.reverse([old.forward("alice@origin.example")]) == ["alice@origin.example"])
        #expect(throws: SRSError.invalidHash) { try old.reverse(byUs[0]) }
    }

    @Test("python3-srs and srslib forward as we do (srslib lower-cases Unicode capitals) and reverse what we made",
          arguments: PythonSRSPeer.allCases)
    func pythonPeers(peer: PythonSRSPeer) async throws {
        let srs = try rewriter()
        // srslib lower-cases every Unicode letter for the hash; postsrsd, python3-srs and we
        // lower ASCII only.
        let senders = peer == .srslib ? Self.senders.filter { $0 != "JÜRGEN@x.example" } : Self.senders
        let (theirs, ours) = try await onOneDay {
            (try await peer.run("forward", senders, domain: Self.domain, secrets: [Self.secret]),
             try senders.map { try srs.forward($0) })
        }
        #expect(theirs == ours.map(Optional.some))
        let reversed = try await peer.run("reverse", ours, domain: Self.domain, secrets: [Self.secret])
        #expect(reversed == (try ours.map { try srs.reverse($0) }).map(Optional.some))
        // A tampered hash is refused there as here.
        let tampered = ours[0].replacingOccurrences(of: "SRS0=", with: "SRS0=x")
        #expect(try await peer.run("reverse", [tampered], domain: Self.domain, secrets: [Self.secret]) == [nil])
    }
}
