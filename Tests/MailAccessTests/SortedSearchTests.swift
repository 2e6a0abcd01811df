import Testing

@testable import MailAccess

@Suite("SortedSearch: the first index not below a value, by halving and by stepping from a start")
struct SortedSearchTests {
    @Test("Stepping from any start at or before the answer finds what halving finds, and what a linear scan finds")
    func steppingAgreesWithHalving() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let values = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt32.random(in: 0...400, using: &generator) }.sorted()
            let target = UInt32.random(in: 0...410, using: &generator)
            let expected = values.firstIndex { $0 >= target } ?? values.count
            #expect(values.sortedIndex(notBelow: target) == expected)
            let start = Int.random(in: 0...expected, using: &generator)
            #expect(values.sortedIndex(notBelow: target, from: start) == expected)
        }
    }

    @Test("A walk of ascending values carries the index along")
    func walk() {
        let values: [UInt32] = [2, 3, 5, 8, 13, 21, 34, 55, 89, 144]
        var index = 0
        var found: [Int] = []
        for target: UInt32 in [1, 2, 4, 13, 14, 144, 145] {
            index = values.sortedIndex(notBelow: target, from: index)
            found.append(index)
        }
        #expect(found == [0, 0, 2, 4, 5, 9, 10])
    }
}
