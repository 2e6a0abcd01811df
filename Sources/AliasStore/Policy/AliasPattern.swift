/// A regular expression over local parts, in a small subset matched by a backtracking
/// matcher with a step budget, so a pattern can never stall the mail path.
///
/// Swift's `Regex` and `NSRegularExpression` cannot be interrupted, so a pattern such as
/// `(a|aa)*b` against a long local part could run for minutes. This matcher counts every
/// step and gives up past the budget, reporting ``Outcome/budgetExceeded``.
///
/// The subset (matching is case-insensitive and byte-wise over ASCII; a match anywhere in
/// the local part counts unless anchored):
/// - literals; `\` escapes any punctuation (`\.`, `\+`, `\\`);
/// - `.` any character; `\d` digits, `\w` letters, digits and `_`, `\s` (never matches a
///   local part), and their negations `\D`, `\W`, `\S`;
/// - classes `[a-z0-9._-]`, negated `[^...]`, with ranges and the escapes above;
/// - anchors `^` and `$`;
/// - groups `( )` and `(?: )` (neither captures), alternation `|`;
/// - quantifiers `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (n, m at most 64), each with a lazy
///   form (`*?`, `{n,m}?`).
/// Not supported: back-references, look-around, named groups, flags, Unicode classes.
public struct AliasPattern: Sendable, Hashable {
    /// What evaluating a pattern found.
    public enum Outcome: Sendable, Hashable {
        /// The pattern matches.
        case match
        /// The pattern does not match.
        case noMatch
        /// The matcher used up its step budget before it could decide.
        case budgetExceeded
    }

    /// Largest count a `{n,m}` quantifier may name (a local part is at most 64 bytes).
    public static let maxRepeatCount = 64

    /// The pattern text, without the surrounding slashes.
    public let source: String
    private let root: [PatternNode]

    /// Compiles `source`.
    /// - Throws: ``AliasStoreError/patternTooLong`` past `maxLength` bytes, or
    ///   ``AliasStoreError/invalidPattern`` naming the position of the problem.
    public init(_ source: String, maxLength: Int = AliasPolicy().maxPatternLength) throws(AliasStoreError) {
        guard !source.isEmpty else { throw AliasStoreError.invalidPattern.with(message: "the pattern is empty") }
        guard source.utf8.count <= maxLength else {
            throw AliasStoreError.patternTooLong.with(
                message: "the pattern is \(source.utf8.count) bytes long; at most \(maxLength) are allowed")
        }
        var parser = PatternParser(bytes: Array(source.utf8))
        self.root = try parser.parse()
        self.source = source
    }

    /// Whether the pattern matches `localPart` (compared in lowercase), in at most
    /// `stepBudget` steps.
    public func evaluate(_ localPart: String, stepBudget: Int = AliasPolicy().patternStepBudget) -> Outcome {
        var steps = 0
        return evaluate(localPart, stepBudget: stepBudget, steps: &steps)
    }

    /// ``evaluate(_:stepBudget:)``, adding the steps it took to `steps` (at least 1, at
    /// most `stepBudget + 1`), so a caller can bound the work of many evaluations.
    func evaluate(_ localPart: String, stepBudget: Int, steps: inout Int) -> Outcome {
        let run = PatternRun(input: Array(localPart.lowercased().utf8), budget: stepBudget)
        defer { steps += max(run.steps, 1) }
        for start in 0...run.input.count {
            if run.matchSequence(root, 0, start, { _ in true }) { return .match }
            if run.exhausted { return .budgetExceeded }
        }
        return .noMatch
    }

    /// Patterns with the same text are equal.
    public static func == (lhs: AliasPattern, rhs: AliasPattern) -> Bool { lhs.source == rhs.source }
    /// Hashes the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// A set of bytes, as a 256-bit table.
struct ByteSet: Sendable, Hashable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (lhs: ByteSet, rhs: ByteSet) -> Bool { lhs.words == rhs.words }
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func insert(_ range: ClosedRange<UInt8>) { for byte in range { insert(byte) } }
    mutating func formUnion(_ other: ByteSet) { for byte in UInt8(0)...UInt8(255) where other.contains(byte) { insert(byte) } }

    var inverted: ByteSet {
        var result = ByteSet()
        for byte in UInt8(0)...UInt8(255) where !contains(byte) { result.insert(byte) }
        return result
    }

    /// Adds the other case of every ASCII letter, so the set matches case-insensitively.
    mutating func foldCase() {
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(byte) { insert(byte + 32) }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") where contains(byte) { insert(byte - 32) }
    }

    static let digits: ByteSet = { var s = ByteSet(); s.insert(UInt8(ascii: "0")...UInt8(ascii: "9")); return s }()
    static let word: ByteSet = {
        var s = digits
        s.insert(UInt8(ascii: "a")...UInt8(ascii: "z"))
        s.insert(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        s.insert(UInt8(ascii: "_"))
        return s
    }()
    static let space: ByteSet = { var s = ByteSet(); for b in [9, 10, 11, 12, 13, 32] as [UInt8] { s.insert(b) }; return s }()
}

indirect enum PatternNode: Sendable, Hashable {
    case byte(UInt8)
    case set(ByteSet)
    case any
    case start
    case end
    case group([[PatternNode]])
    case repetition([PatternNode], min: Int, max: Int, greedy: Bool)
}

/// Recursive-descent parser for the subset.
struct PatternParser {
    let bytes: [UInt8]
    var position = 0
    var depth = 0
    static let maxGroupDepth = 16

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parse() throws(AliasStoreError) -> [PatternNode] {
        let alternatives = try parseAlternatives()
        guard position == bytes.count else { throw error("unbalanced )") }
        return alternatives.count == 1 ? alternatives[0] : [.group(alternatives)]
    }

    private func error(_ text: String) -> AliasStoreError {
        AliasStoreError.invalidPattern.with(message: "the pattern has \(text) at byte \(position + 1)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func parseAlternatives() throws(AliasStoreError) -> [[PatternNode]] {
        var alternatives = [try parseSequence()]
        while current == UInt8(ascii: "|") {
            position += 1
            alternatives.append(try parseSequence())
        }
        return alternatives
    }

    private mutating func parseSequence() throws(AliasStoreError) -> [PatternNode] {
        var sequence: [PatternNode] = []
        while let byte = current, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
            let atom = try parseAtom()
            sequence.append(try parseQuantifier(on: atom))
        }
        return sequence
    }

    private mutating func parseAtom() throws(AliasStoreError) -> PatternNode {
        guard let byte = current else { throw error("an unexpected end") }
        guard byte < 0x80, byte >= 0x20 else { throw error("a non-ASCII or control character") }
        position += 1
        switch byte {
        case UInt8(ascii: "("):
            depth += 1
            guard depth <= Self.maxGroupDepth else { throw error("groups nested more than \(Self.maxGroupDepth) deep") }
            if current == UInt8(ascii: "?") {
                guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ":") else {
                    throw error("an unsupported group kind (only (?: ) is supported)")
                }
                position += 2
            }
            let alternatives = try parseAlternatives()
            guard current == UInt8(ascii: ")") else { throw error("a ( without its )") }
            position += 1
            depth -= 1
            return .group(alternatives)
        case UInt8(ascii: "["):
            return .set(try parseClass())
        case UInt8(ascii: "."):
            return .any
        case UInt8(ascii: "^"):
            return .start
        case UInt8(ascii: "$"):
            return .end
        case UInt8(ascii: "\\"):
            return try parseEscape()
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
            position -= 1
            throw error("a quantifier with nothing to repeat")
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
            position -= 1
            throw error("an unescaped \(Character(Unicode.Scalar(byte)))")
        default:
            return .byte(Self.lower(byte))
        }
    }

    private mutating func parseEscape() throws(AliasStoreError) -> PatternNode {
        guard let byte = current else { throw error("a trailing backslash") }
        position += 1
        if let set = Self.classEscape(byte) { return .set(set) }
        guard Self.isPunctuation(byte) else { throw error("an unsupported escape \\\(Character(Unicode.Scalar(byte)))") }
        return .byte(byte)
    }

    private static func classEscape(_ byte: UInt8) -> ByteSet? {
        switch byte {
        case UInt8(ascii: "d"): ByteSet.digits
        case UInt8(ascii: "D"): ByteSet.digits.inverted
        case UInt8(ascii: "w"): ByteSet.word
        case UInt8(ascii: "W"): ByteSet.word.inverted
        case UInt8(ascii: "s"): ByteSet.space
        case UInt8(ascii: "S"): ByteSet.space.inverted
        default: nil
        }
    }

    private static func isPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2f).contains(byte) || (0x3a...0x40).contains(byte) || (0x5b...0x60).contains(byte) || (0x7b...0x7e).contains(byte)
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private mutating func parseClass() throws(AliasStoreError) -> ByteSet {
        var set = ByteSet()
        var negated = false
        if current == UInt8(ascii: "^") {
            negated = true
            position += 1
        }
        var first = true
        while true {
            guard let byte = current else { throw error("a [ without its ]") }
            if byte == UInt8(ascii: "]") && !first { position += 1; break }
            first = false
            guard byte < 0x80, byte >= 0x20 else { throw error("a non-ASCII or control character") }
            position += 1
            var low = byte
            if byte == UInt8(ascii: "\\") {
                guard let escaped = current else { throw error("a trailing backslash") }
                position += 1
                if let escapedSet = Self.classEscape(escaped) {
                    set.formUnion(escapedSet)
                    continue
                }
                guard Self.isPunctuation(escaped) else { throw error("an unsupported escape in a class") }
                low = escaped
            }
            if current == UInt8(ascii: "-"), position + 1 < bytes.count, bytes[position + 1] != UInt8(ascii: "]") {
                position += 1
                var high = bytes[position]
                position += 1
                if high == UInt8(ascii: "\\") {
                    guard let escaped = current, Self.isPunctuation(escaped) else { throw error("an unsupported range end") }
                    position += 1
                    high = escaped
                }
                guard high >= low, high < 0x80 else { throw error("a range whose end comes before its start") }
                set.insert(low...high)
            } else {
                set.insert(low)
            }
        }
        set.foldCase()
        return negated ? set.inverted : set
    }

    private mutating func parseQuantifier(on atom: PatternNode) throws(AliasStoreError) -> PatternNode {
        guard let byte = current else { return atom }
        var minimum = 0
        var maximum = Int.max
        switch byte {
        case UInt8(ascii: "*"): position += 1
        case UInt8(ascii: "+"): position += 1; minimum = 1
        case UInt8(ascii: "?"): position += 1; maximum = 1
        case UInt8(ascii: "{"):
            position += 1
            minimum = try parseCount()
            if current == UInt8(ascii: ",") {
                position += 1
                maximum = current == UInt8(ascii: "}") ? Int.max : try parseCount()
            } else {
                maximum = minimum
            }
            guard current == UInt8(ascii: "}") else { throw error("a { without its }") }
            position += 1
            guard minimum <= maximum else { throw error("a {n,m} with n greater than m") }
        default:
            return atom
        }
        switch atom {
        case .start, .end: throw error("a quantifier on an anchor")
        default: break
        }
        var greedy = true
        if current == UInt8(ascii: "?") {
            greedy = false
            position += 1
        }
        if let next = current, next == UInt8(ascii: "*") || next == UInt8(ascii: "+") || next == UInt8(ascii: "{") {
            throw error("a quantifier directly after another (possessive and stacked quantifiers are not supported)")
        }
        return .repetition([atom], min: minimum, max: maximum, greedy: greedy)
    }

    private mutating func parseCount() throws(AliasStoreError) -> Int {
        var value = 0
        var digits = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            position += 1
            guard value <= AliasPattern.maxRepeatCount else {
                throw error("a repeat count above \(AliasPattern.maxRepeatCount)")
            }
        }
        guard digits > 0 else { throw error("a { without a count") }
        return value
    }
}

/// One evaluation: the input, the steps left, and the recursion depth.
final class PatternRun {
    let input: [UInt8]
    private let budget: Int
    /// Steps taken so far.
    private(set) var steps = 0
    private var depth = 0
    private(set) var exhausted = false
    /// Deepest recursion allowed; deeper counts as running out of budget (it protects the
    /// stack of the small threads async code runs on).
    static let maxDepth = 1_000

    init(input: [UInt8], budget: Int) {
        self.input = input
        self.budget = budget
    }

    private func tick() -> Bool {
        if exhausted { return false }
        steps += 1
        if steps > budget || depth > Self.maxDepth {
            exhausted = true
            return false
        }
        return true
    }

    func matchSequence(_ sequence: [PatternNode], _ index: Int, _ position: Int, _ next: (Int) -> Bool) -> Bool {
        guard tick() else { return false }
        depth += 1
        defer { depth -= 1 }
        guard index < sequence.count else { return next(position) }
        switch sequence[index] {
        case .byte(let byte):
            guard position < input.count, input[position] == byte else { return false }
            return matchSequence(sequence, index + 1, position + 1, next)
        case .set(let set):
            guard position < input.count, set.contains(input[position]) else { return false }
            return matchSequence(sequence, index + 1, position + 1, next)
        case .any:
            guard position < input.count else { return false }
            return matchSequence(sequence, index + 1, position + 1, next)
        case .start:
            guard position == 0 else { return false }
            return matchSequence(sequence, index + 1, position, next)
        case .end:
            guard position == input.count else { return false }
            return matchSequence(sequence, index + 1, position, next)
        case .group(let alternatives):
            for alternative in alternatives {
                if matchSequence(alternative, 0, position, { matchSequence(sequence, index + 1, $0, next) }) { return true }
                if exhausted { return false }
            }
            return false
        case .repetition(let body, let minimum, let maximum, let greedy):
            return matchRepetition(body, minimum, maximum, greedy, 0, position) { matchSequence(sequence, index + 1, $0, next) }
        }
    }

    private func matchRepetition(
        _ body: [PatternNode], _ minimum: Int, _ maximum: Int, _ greedy: Bool, _ count: Int, _ position: Int,
        _ next: (Int) -> Bool
    ) -> Bool {
        guard tick() else { return false }
        depth += 1
        defer { depth -= 1 }
        func once() -> Bool {
            guard count < maximum else { return false }
            return matchSequence(body, 0, position) { after in
                // An empty iteration past the minimum would loop for ever without progress.
                guard after != position || count < minimum else { return false }
                return matchRepetition(body, minimum, maximum, greedy, count + 1, after, next)
            }
        }
        if greedy {
            if once() { return true }
            return !exhausted && count >= minimum && next(position)
        }
        if count >= minimum && next(position) { return true }
        return !exhausted && once()
    }
}
