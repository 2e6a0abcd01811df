import EncryptedMailbox
import Testing

@testable import MailAccess

/// The pure message sequence behind every session: what the client knows, what waits to be
/// reported, and in which order and with which numbers it goes out (RFC 9051 sections 7.4.1
/// and 7.5.1, RFC 3501 section 7.4.1).
@Suite("IMAP session: the message sequence")
struct IMAPSessionSequenceTests {
    static func sequence(_ uids: ClosedRange<UInt32>) -> IMAPMessageSequence {
        IMAPMessageSequence(messages: uids.map { MessageChange(uid: $0, flags: [], keywords: [], modSeq: UInt64($0)) })
    }

    @Test("Removals get the number each message has when its EXPUNGE is sent (RFC 3501 section 6.4.3: 3, 3, 5, 8)")
    func expungeNumbers() {
        var sequence = Self.sequence(1...11)
        sequence.noteExpunged([3, 4, 7, 11])
        let updates = sequence.takeUpdates(includingExpunges: true)
        #expect(updates.expunged.map(\.sequenceNumber) == [3, 3, 5, 8])
        #expect(updates.expunged.map(\.uid) == [3, 4, 7, 11])
        #expect(sequence.uids == [1, 2, 5, 6, 8, 9, 10])
        #expect(!sequence.hasPendingUpdates)
    }

    @Test("Held removals keep every number; EXISTS and flag changes of other messages still go out")
    func heldExpunges() {
        var sequence = Self.sequence(1...3)
        sequence.noteExpunged([2])
        sequence.noteAdded([4])
        sequence.noteFlagChanges([MessageChange(uid: 3, flags: [.seen], keywords: [], modSeq: 9), MessageChange(uid: 2, flags: [.seen], keywords: [], modSeq: 8)])
        let first = sequence.takeUpdates(includingExpunges: false)
        #expect(first.expunged.isEmpty)
        #expect(first.exists == 4)
        #expect(first.flagChanges.map(\.sequenceNumber) == [3])
        #expect(sequence.uids == [1, 2, 3, 4])
        #expect(sequence.isExpungedUnreported(2))
        let second = sequence.takeUpdates(includingExpunges: true)
        #expect(second.expunged.map(\.sequenceNumber) == [2])
        #expect(second.exists == nil)
        #expect(sequence.sequenceNumber(of: 4) == 3)
    }

    @Test("A message added and removed before the client heard of it is never mentioned; known and stale changes are dropped")
    func forgottenAndDeduplicated() {
        var sequence = Self.sequence(1...2)
        sequence.noteAdded([3, 4])
        sequence.noteExpunged([3])
        sequence.noteAdded([2, 3])  // echoes of known or forgotten UIDs
        let added = sequence.takeUpdates(includingExpunges: true)
        #expect(added.exists == 3)
        #expect(sequence.uids == [1, 2, 4])
        // The session reported MODSEQ 10 for UID 1 itself: the hub's echo (10) and an older
        // change (7) are not reported again; a newer one (11) is.
        sequence.noteReported(MessageChange(uid: 1, flags: [.flagged], keywords: [], modSeq: 10))
        sequence.noteFlagChanges([MessageChange(uid: 1, flags: [.flagged], keywords: [], modSeq: 10)])
        sequence.noteFlagChanges([MessageChange(uid: 1, flags: [], keywords: [], modSeq: 7)])
        #expect(!sequence.hasPendingUpdates)
        sequence.noteFlagChanges([MessageChange(uid: 1, flags: [.seen], keywords: ["$A"], modSeq: 11)])
        #expect(sequence.takeUpdates(includingExpunges: false).flagChanges.map(\.change.modSeq) == [11])
    }

    @Test("A FETCH that reported a message's newer flags drops the older change still waiting, by number or by UID; a newer one waiting stays")
    func reportedStateSupersedesOlderPendingChanges() {
        var sequence = Self.sequence(1...5)
        // Events that came late: 2 and 4 changed at MODSEQ 20 and 21.
        sequence.noteFlagChanges([
            MessageChange(uid: 2, flags: [.seen], keywords: [], modSeq: 20), MessageChange(uid: 4, flags: [.seen], keywords: [], modSeq: 21),
        ])
        // The FETCH read 2 at MODSEQ 30 (newer) and 4 at MODSEQ 19 (its event is newer than the read).
        sequence.noteReported(MessageChange(uid: 2, flags: [], keywords: [], modSeq: 30), at: 1)
        sequence.noteReported(MessageChange(uid: 4, flags: [], keywords: [], modSeq: 19), at: 3)
        // A wrong index falls back to the UID.
        sequence.noteReported(MessageChange(uid: 5, flags: [.draft], keywords: [], modSeq: 40), at: 0)
        sequence.noteFlagChanges([MessageChange(uid: 5, flags: [], keywords: [], modSeq: 35)])
        let updates = sequence.takeUpdates(includingExpunges: true)
        #expect(updates.flagChanges.map(\.change.uid) == [4])
        #expect(updates.flagChanges.first?.change.modSeq == 21)
    }

    @Test("Sequence sets: numbers above the count throw, * in an empty folder names nothing; UID sets take * as the largest UID")
    func sets() throws {
        let sequence = Self.sequence(5...9)
        #expect(try sequence.uids(forSequenceNumbers: [IMAPSequenceRange(.number(2), .last)]) == [6, 7, 8, 9])
        #expect(try sequence.uids(forSequenceNumbers: [IMAPSequenceRange(.number(4), .number(2)), IMAPSequenceRange(3)]) == [6, 7, 8])
        #expect(throws: IMAPSequenceSetError.outOfRange) { try sequence.uids(forSequenceNumbers: [IMAPSequenceRange(6)]) }
        #expect(try IMAPMessageSequence(messages: []).uids(forSequenceNumbers: [IMAPSequenceRange(.number(1), .last)]) == [])
        #expect(sequence.uids(forUIDs: [IMAPSequenceRange(.number(20), .last)]) == [9])
        #expect(sequence.uids(forUIDs: [IMAPSequenceRange(.number(UInt32.max), .number(1))]) == [5, 6, 7, 8, 9])
        #expect(sequence.uids(forUIDs: [IMAPSequenceRange(1), IMAPSequenceRange(7), IMAPSequenceRange(7)]) == [7])
        #expect(sequence.knownUIDs(among: [9, 1, 6]) == [6, 9])
        // QRESYNC's known UIDs and VANISHED's set filter sorted UIDs in one walk.
        let set = [IMAPSequenceRange(.number(10), .number(3)), IMAPSequenceRange(12), IMAPSequenceRange(.number(20), .last)]
        #expect(IMAPMessageSequence.values([1, 3, 4, 11, 12, 13, 25, 30], in: set, largest: 25) == [3, 4, 12, 25])
        let thousands = (0..<10_000).map { IMAPSequenceRange(UInt32($0 * 2 + 1)) }
        #expect(IMAPMessageSequence.values(Array(1...20_000), in: thousands, largest: 20_000).count == 10_000)
    }

    @Test("A folder deleted elsewhere: every known message is reported removed")
    func allExpunged() {
        var sequence = Self.sequence(1...3)
        sequence.noteAdded([4])
        sequence.noteAllExpunged()
        let updates = sequence.takeUpdates(includingExpunges: true)
        #expect(updates.expunged.map(\.sequenceNumber) == [1, 1, 1])
        #expect(updates.exists == nil)
        #expect(sequence.count == 0)
    }
}
