import Testing

@testable import MailAccess

/// The pure `\Recent` set of one selection: claimed UID ranges, merged; membership by UID
/// comparison; counted and listed only over the UIDs the client knows (so expunged messages
/// drop out without being removed).
@Suite("IMAP session: the \\Recent set")
struct IMAPRecentMessagesTests {
    @Test("Empty claims add nothing; an empty set holds and counts nothing")
    func empty() {
        var recent = IMAPRecentMessages()
        recent.insert(5..<5)
        #expect(recent.isEmpty)
        #expect(!recent.contains(5))
        #expect(recent.count(among: [1, 5, 9]) == 0)
        #expect(recent.uids(among: [1, 5, 9]) == [])
    }

    @Test("Claims above the last one append or extend; overlapping and earlier claims merge")
    func merging() {
        var recent = IMAPRecentMessages()
        recent.insert(10..<20)
        recent.insert(20..<25)
        #expect(recent.ranges == [10..<25])
        recent.insert(30..<31)
        #expect(recent.ranges == [10..<25, 30..<31])
        recent.insert(3..<5)
        #expect(recent.ranges == [3..<5, 10..<25, 30..<31])
        recent.insert(24..<30)
        #expect(recent.ranges == [3..<5, 10..<31])
        recent.insert(1..<100)
        #expect(recent.ranges == [1..<100])
        recent.insert(50..<60)
        #expect(recent.ranges == [1..<100])
    }

    @Test("Membership, count and the listed UIDs agree with a plain set, over random claims")
    func agreesWithASet() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var recent = IMAPRecentMessages()
            var reference = Set<UInt32>()
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let start = UInt32.random(in: 1...60, using: &generator)
                let end = start + UInt32.random(in: 0...12, using: &generator)
                recent.insert(start..<end)
                reference.formUnion(start..<end)
            }
            let known = (1...80).filter { _ in Bool.random(using: &generator) }.map { UInt32($0) }
            for uid in UInt32(0)...UInt32(90) { #expect(recent.contains(uid) == reference.contains(uid)) }
            #expect(recent.uids(among: known) == known.filter { reference.contains($0) })
            #expect(recent.count(among: known) == known.filter { reference.contains($0) }.count)
            // Ranges stay sorted, disjoint and apart.
            for (a, b) in zip(recent.ranges, recent.ranges.dropFirst()) { #expect(a.upperBound < b.lowerBound) }
        }
    }

    @Test("The largest UIDs claim without overflow")
    func largestUIDs() {
        var recent = IMAPRecentMessages()
        recent.insert(UInt32.max - 2..<UInt32.max)
        #expect(recent.contains(UInt32.max - 1))
        #expect(!recent.contains(UInt32.max))
        #expect(recent.count(among: [1, UInt32.max - 2, UInt32.max - 1, UInt32.max]) == 2)
    }
}
