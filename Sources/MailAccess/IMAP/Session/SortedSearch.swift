extension RandomAccessCollection where Index == Int {
    /// In a collection sorted ascending by `key`: the index of the first element whose key
    /// is not below `value` (`endIndex` when there is none), found by halving.
    func sortedIndex<Key: Comparable>(notBelow value: Key, by key: (Element) -> Key) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if key(self[middle]) < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// ``sortedIndex(notBelow:by:)`` for a value known to be at or after index `start`:
    /// steps of 1, 2, 4, ... from `start`, then halving inside the last step. A walk over
    /// ascending values in step with the collection costs O(1) per value, a sparse one
    /// O(log distance).
    func sortedIndex<Key: Comparable>(notBelow value: Key, by key: (Element) -> Key, from start: Int) -> Int {
        var low = Swift.min(Swift.max(start, startIndex), endIndex)
        var step = 1
        var high = low
        while high < endIndex, key(self[high]) < value {
            low = high + 1
            high = Swift.min(endIndex, high + step)
            step *= 2
        }
        while low < high {
            let middle = low + (high - low) / 2
            if key(self[middle]) < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension Array where Element == UInt32 {
    /// In ascending UIDs: the index of the first not below `uid` (`count` when none is).
    func sortedIndex(notBelow uid: UInt32) -> Int { sortedIndex(notBelow: uid, by: { $0 }) }

    /// In ascending UIDs: the index of the first not below `uid`, searched from `start` on.
    func sortedIndex(notBelow uid: UInt32, from start: Int) -> Int { sortedIndex(notBelow: uid, by: { $0 }, from: start) }

    /// In ascending UIDs: the index of `uid`, if it is there.
    func sortedIndex(of uid: UInt32) -> Int? {
        let index = sortedIndex(notBelow: uid)
        return index < count && self[index] == uid ? index : nil
    }
}
