/// Reading and checking ARC instance numbers (RFC 8617 §4.2.1: `i=` is 1 to 50, at most
/// two digits, no sign and no leading zero trickery beyond the grammar's `1*2DIGIT`).
enum ARCInstance {
    /// The highest instance RFC 8617 allows.
    static let maximum = 50

    /// The instance written as `text`, or nil when it is not 1...`maximum` in 1*2DIGIT.
    static func parse<S: StringProtocol>(_ text: S) -> Int? {
        guard (1...2).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = Int(text), (1...maximum).contains(value)
        else { return nil }
        return value
    }
}
