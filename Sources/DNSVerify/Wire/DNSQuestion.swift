/// A question: the name, type and class asked about.
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    /// The name asked about.
    public var name: DNSName
    /// The type asked for.
    public var type: DNSRecordType
    /// The class, `IN` unless told.
    public var questionClass: DNSRecordClass

    /// A question; class `IN` unless told.
    public init(name: DNSName, type: DNSRecordType, questionClass: DNSRecordClass = .internet) {
        self.name = name
        self.type = type
        self.questionClass = questionClass
    }

    /// `name TYPE`.
    public var description: String { "\(name) \(type)" }
}
