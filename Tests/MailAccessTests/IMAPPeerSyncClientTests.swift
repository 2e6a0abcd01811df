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

    @Test func mbsyncRoundTripsTenThousandMessagesWithDovecot() async throws {
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("dovecot-imap")
        let dovecot = try await DovecotIMAPServer.start(
            messages: SyntheticMailCorpus.dovecotMessages(Self.count), certificateChain: leaf.chain, privateKey: leaf.key)
        let expectation: IMAPPeerMbsync.Expectation
        do {
            let mbsync = try IMAPPeerMbsync(port: dovecot.port, certificateAuthority: authority.authority)
            let started = ContinuousClock.now
            let pull = try await mbsync.pull { uid in
                (1...UInt32(Self.count)).contains(uid) ? SyntheticMailCorpus.message(Int(uid) - 1) : nil
            }
            print("mbsync pulled \(pull.files) messages from Dovecot in \(ContinuousClock.now - started) (not asserted)")
            #expect(pull.files == Self.count)
            let mismatches = pull.mismatches.count
            #expect(mismatches == 0, "first differing UIDs: \(pull.mismatches.prefix(10))")
            expectation = try await mbsync.changeLocallyAndPush { SyntheticMailCorpus.flags(Int($0) - 1) }
        } catch {
            await dovecot.stop()
            throw error
        }
        await dovecot.stop()
        let inbox = try await dovecot.inbox()
        Self.expectServerHolds(inbox.map { ($0.uid, $0.flags, $0.bytes) }, expectation)
    }

    /// The server's INBOX after the push: the deleted UIDs gone, every other message with
    /// the flags the client left and its bytes as they were.
    static func expectServerHolds(_ inbox: [(uid: UInt32, flags: [String], bytes: [UInt8])], _ expectation: IMAPPeerMbsync.Expectation) {
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

    @Test func curlListsAndFetchesOverIMAPS() async throws {
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("dovecot-imap")
        let messages = SyntheticMailCorpus.dovecotMessages(20)
        let dovecot = try await DovecotIMAPServer.start(messages: messages, certificateChain: leaf.chain, privateKey: leaf.key)
        let port = try #require(dovecot.implicitTLSPort)
        let results = try await IMAPPeerCurl(port: port, certificateAuthority: authority.authority).listAndFetch(uids: [1, 8, 20])
        await dovecot.stop()
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
