/// One end of a sequence range: a number, or `*` (the largest number in use).
public enum IMAPSequenceBound: Sendable, Hashable {
    /// A message sequence number or UID (never 0).
    case number(UInt32)
    /// `*`: the last message (its number or UID).
    case last

    /// The number this bound stands for when the largest in use is `largest`.
    public func resolved(largest: UInt32) -> UInt32 {
        switch self {
        case .number(let value): value
        case .last: largest
        }
    }
}

/// A range as written: `3`, `2:4`, `4:2` (the same), `5:*`.
public struct IMAPSequenceRange: Sendable, Hashable {
    /// The first bound as written.
    public var first: IMAPSequenceBound
    /// The second bound as written (equal to ``first`` for a single number).
    public var second: IMAPSequenceBound

    /// A range from `first` to `second`, in either order.
    public init(_ first: IMAPSequenceBound, _ second: IMAPSequenceBound) {
        self.first = first
        self.second = second
    }

    /// A single number.
    public init(_ value: UInt32) { self.init(.number(value), .number(value)) }

    /// The range with `*` resolved to `largest`, lower bound first.
    public func resolved(largest: UInt32) -> ClosedRange<UInt32> {
        let a = first.resolved(largest: largest)
        let b = second.resolved(largest: largest)
        return min(a, b)...max(a, b)
    }
}

/// A sequence set (RFC 9051 `sequence-set`): ranges of message sequence numbers or UIDs,
/// or `$`, the result saved by `SEARCH RETURN (SAVE)` (RFC 5182).
public enum IMAPSequenceSet: Sendable, Hashable {
    /// Ranges as written, in order (overlaps allowed).
    case ranges([IMAPSequenceRange])
    /// `$`: the saved search result.
    case savedResult

    /// A set of single numbers and ranges.
    public init(_ ranges: [IMAPSequenceRange]) { self = .ranges(ranges) }

    /// The shortest set of `values` (any order, duplicates allowed): consecutive numbers
    /// become ranges, `[1, 2, 3, 5]` is `1:3,5`. For ESEARCH ALL, APPENDUID, COPYUID,
    /// VANISHED.
    public init(compacting values: [UInt32]) {
        var ranges: [IMAPSequenceRange] = []
        var start: UInt32?
        var end: UInt32 = 0
        for value in values.sorted() {
            if let first = start {
                if value == end || value == end &+ 1 && value != 0 {
                    end = value
                    continue
                }
                ranges.append(IMAPSequenceRange(.number(first), .number(end)))
            }
            start = value
            end = value
        }
        if let first = start { ranges.append(IMAPSequenceRange(.number(first), .number(end))) }
        self = .ranges(ranges)
    }

    /// Whether `value` is in the set when the largest number in use is `largest`; false for
    /// ``savedResult`` (the session resolves it).
    public func contains(_ value: UInt32, largest: UInt32) -> Bool {
        guard case .ranges(let ranges) = self else { return false }
        return ranges.contains { $0.resolved(largest: largest).contains(value) }
    }
}
