/// A set of message UIDs as IMAP writes it: numbers and ranges, where `*` stands for the
/// largest UID in the folder (`1:*` is every message, RFC 3501 section 9 `sequence-set`).
public struct UIDSet: Sendable, Hashable, CustomStringConvertible {
    /// One end of a range.
    public enum Bound: Sendable, Hashable {
        /// A UID (at least 1).
        case uid(UInt32)
        /// `*`: the largest UID in use in the folder.
        case largest
    }

    /// The ranges as given; each may be written high-to-low, as IMAP allows.
    public let ranges: [(Bound, Bound)]

    /// Every message: `1:*`.
    public static let all = UIDSet(validated: [(.uid(1), .largest)])

    private init(validated ranges: [(Bound, Bound)]) { self.ranges = ranges }

    /// The set of exactly `uids` (an empty list gives an empty set).
    public init<S: Sequence>(_ uids: S) where S.Element == UInt32 {
        ranges = Self.compress(uids.filter { $0 > 0 }).map { (.uid($0.lowerBound), .uid($0.upperBound)) }
    }

    /// The set of the UIDs in `range` (0 is dropped).
    public init(_ range: ClosedRange<UInt32>) {
        let lower = max(range.lowerBound, 1)
        ranges = range.upperBound == 0 ? [] : [(.uid(lower), .uid(range.upperBound))]
    }

    /// Parses IMAP syntax such as `1:5,7,9:*`.
    /// - Throws: `MailboxError.invalidUIDSet` for anything else, or a UID of 0.
    public init(parsing text: String) throws(MailboxError) {
        var parsed: [(Bound, Bound)] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: ":", omittingEmptySubsequences: false)
            guard ends.count == 1 || ends.count == 2 else { throw MailboxError.invalidUIDSet.with(message: "invalid UID set item \"\(item)\"") }
            let bounds = try ends.map { (end) throws(MailboxError) -> Bound in
                if end == "*" { return .largest }
                guard let value = UInt32(end), value > 0, end.allSatisfy(\.isASCII) else {
                    throw MailboxError.invalidUIDSet.with(message: "invalid UID \"\(end)\"")
                }
                return .uid(value)
            }
            parsed.append((bounds[0], bounds.count == 2 ? bounds[1] : bounds[0]))
        }
        ranges = parsed
    }

    /// True when the set names no UID at all.
    public var isEmpty: Bool { ranges.isEmpty }

    /// Sorted, merged, inclusive UID ranges, with `*` taken as `largest` (the largest UID
    /// present; 0 when the folder is empty, which makes `*` match nothing).
    public func resolved(largest: UInt32) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        for (first, second) in ranges {
            func value(_ bound: Bound) -> UInt32? {
                switch bound {
                case .uid(let uid): uid
                case .largest: largest == 0 ? nil : largest
                }
            }
            guard let a = value(first), let b = value(second) else { continue }
            result.append(min(a, b)...max(a, b))
        }
        return Self.merge(result)
    }

    /// True when `uid` is in the set, `largest` as in ``resolved(largest:)``.
    public func contains(_ uid: UInt32, largest: UInt32) -> Bool {
        resolved(largest: largest).contains { $0.contains(uid) }
    }

    /// IMAP syntax, e.g. `1:5,7`.
    public var description: String {
        ranges.map { first, second in
            func text(_ bound: Bound) -> String {
                switch bound {
                case .uid(let uid): String(uid)
                case .largest: "*"
                }
            }
            return first == second ? text(first) : "\(text(first)):\(text(second))"
        }.joined(separator: ",")
    }

    /// Sets are equal when they list the same ranges.
    public static func == (lhs: UIDSet, rhs: UIDSet) -> Bool {
        lhs.ranges.count == rhs.ranges.count && zip(lhs.ranges, rhs.ranges).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// Hashes the ranges.
    public func hash(into hasher: inout Hasher) {
        for (a, b) in ranges {
            hasher.combine(a)
            hasher.combine(b)
        }
    }

    static func compress<S: Sequence>(_ uids: S) -> [ClosedRange<UInt32>] where S.Element == UInt32 {
        merge(uids.map { $0...$0 })
    }

    /// `ranges` sorted, with overlapping and adjacent ones joined: the one normal form of a
    /// set of UID (or message number) ranges, shared by the IMAP session.
    package static func merge(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, UInt64(range.lowerBound) <= UInt64(last.upperBound) + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
