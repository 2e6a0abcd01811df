import CommunityMailTestSupport
import Foundation
import Testing

/// Real sync clients against Dovecot 2.3 holding a generated 10,000-message INBOX
/// (`SyntheticMailCorpus`): mbsync pulls it over STARTTLS byte for byte, changes flags and
/// deletes locally, pushes back, and Dovecot's Maildir is then read for the result; curl
/// lists and fetches over `imaps://`.
@Suite(.enabled(if: TestPeers.shouldRun(DovecotIMAPServer.isInstalled && TestPeers.executable("mbsync") != nil)))
struct IMAPPeerSyncClientTests {
    static let count = 10_000

    /// Against Dovecot, 2,000 messages: the harness's own check (the long run is ours).
    @Test func mbsyncRoundTripsWithDovecot() async throws {
        let count = 2_000
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("dovecot-imap")
        let dovecot = try await DovecotIMAPServer.start(
            messages: SyntheticMailCorpus.dovecotMessages(count), certificateChain: leaf.chain, privateKey: leaf.key)
        let expectation: IMAPPeerMbsync.Expectation
        do {
            expectation = try await Self.pullChangePush(count: count, port: dovecot.port, authority: authority.authority, server: "Dovecot")
        } catch {
            await dovecot.stop()
            throw error
        }
        await dovecot.stop()
        let inbox = try await dovecot.inbox()
        Self.expectServerHolds(inbox.map { ($0.uid, $0.flags, $0.bytes) }, expectation, count: count)
    }

    /// Against our server over an encrypted SQLiteMailbox, 10,000 messages.
    @Test func mbsyncRoundTripsTenThousandMessagesWithOurServer() async throws {
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("imap")
        let ours = try await IMAPPeerOurServer.start(
            messages: SyntheticMailCorpus.dovecotMessages(Self.count), certificateChain: leaf.chain, privateKey: leaf.key)
        do {
            let expectation = try await Self.pullChangePush(count: Self.count, port: ours.port, authority: authority.authority, server: "ours")
            Self.expectServerHolds(try await ours.inbox(), expectation, count: Self.count)
        } catch {
            await ours.stop()
            throw error
        }
        await ours.stop()
    }

    /// mbsync pulls `count` messages (each compared with its source), then changes and
    /// deletes locally and pushes back.
    static func pullChangePush(count: Int, port: UInt16, authority: String, server: String) async throws -> IMAPPeerMbsync.Expectation {
        let mbsync = try IMAPPeerMbsync(port: port, certificateAuthority: authority)
        let started = ContinuousClock.now
        let pull = try await mbsync.pull { uid in
            (1...UInt32(count)).contains(uid) ? SyntheticMailCorpus.message(Int(uid) - 1) : nil
        }
        print("mbsync pulled \(pull.files) messages from \(server) in \(ContinuousClock.now - started) (not asserted)")
        #expect(pull.files == count)
        let mismatches = pull.mismatches.count
        #expect(mismatches == 0, "first differing UIDs: \(pull.mismatches.prefix(10))")
        return try await mbsync.changeLocallyAndPush { SyntheticMailCorpus.flags(Int($0) - 1) }
    }

    /// The server's INBOX after the push: the deleted UIDs gone, every other message with
    /// the flags the client left and its bytes as they were.
    static func expectServerHolds(
        _ inbox: [(uid: UInt32, flags: [String], bytes: [UInt8])], _ expectation: IMAPPeerMbsync.Expectation, count: Int
    ) {
        #expect(expectation.deleted.count == count / 25)
        #expect(inbox.count == count - expectation.deleted.count)
        let uids = Set(inbox.map(\.uid))
        let deletedButKept = uids.intersection(expectation.deleted).count
        #expect(deletedButKept == 0)
        var flagMismatches: [UInt32] = [], byteMismatches: [UInt32] = []
        for message in inbox {
            let system = message.flags.filter { $0.hasPrefix("\\") && $0 != "\\Recent" }.sorted()
            if expectation.flags[message.uid] != system { flagMismatches.append(message.uid) }
            if SyntheticMailCorpus.message(Int(message.uid) - 1) != message.bytes { byteMismatches.append(message.uid) }
        }
        let (flagMismatchCount, byteMismatchCount) = (flagMismatches.count, byteMismatches.count)
        #expect(flagMismatchCount == 0, "first UIDs with other flags: \(flagMismatches.sorted().prefix(10))")
        #expect(byteMismatchCount == 0, "first UIDs with other bytes: \(byteMismatches.sorted().prefix(10))")
    }

    @Test func curlListsAndFetchesOverIMAPSFromDovecot() async throws {
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("dovecot-imap")
        let dovecot = try await DovecotIMAPServer.start(
            messages: SyntheticMailCorpus.dovecotMessages(20), certificateChain: leaf.chain, privateKey: leaf.key)
        let results = try await IMAPPeerCurl(port: try #require(dovecot.implicitTLSPort), certificateAuthority: authority.authority)
            .listAndFetch(uids: [1, 8, 20])
        await dovecot.stop()
        Self.expectCurlResults(results)
    }

    @Test func curlListsAndFetchesOverIMAPSFromOurServer() async throws {
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("imap")
        let ours = try await IMAPPeerOurServer.start(
            messages: SyntheticMailCorpus.dovecotMessages(20), certificateChain: leaf.chain, privateKey: leaf.key)
        let results = try await IMAPPeerCurl(port: try #require(ours.implicitTLSPort), certificateAuthority: authority.authority)
            .listAndFetch(uids: [1, 8, 20])
        await ours.stop()
        Self.expectCurlResults(results)
    }

    static func expectCurlResults(_ results: IMAPPeerCurl.Results) {
        // RFC 3501 section 7.2.2: the name last, after the attributes and the delimiter.
        for name in ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"] {
            #expect(results.list.contains { $0.hasPrefix("* LIST (") && $0.hasSuffix(" \"/\" \(name)") }, "\(name): \(results.list)")
        }
        for (uid, bytes) in results.fetched {
            #expect(bytes == SyntheticMailCorpus.message(Int(uid) - 1), "UID \(uid)")
        }
        #expect(results.search == "* SEARCH " + (1...20).map(String.init).joined(separator: " "))
    }
}
