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
}

extension Array where Element == UInt32 {
    /// In ascending UIDs: the index of the first not below `uid` (`count` when none is).
    func sortedIndex(notBelow uid: UInt32) -> Int { sortedIndex(notBelow: uid, by: { $0 }) }

    /// In ascending UIDs: the index of `uid`, if it is there.
    func sortedIndex(of uid: UInt32) -> Int? {
        let index = sortedIndex(notBelow: uid)
        return index < count && self[index] == uid ? index : nil
    }
}
