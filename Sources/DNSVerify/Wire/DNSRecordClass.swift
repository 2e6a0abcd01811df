/// A record class; only `IN` is used by this library, others are kept as numbers.
public struct DNSRecordClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The class's number on the wire.
    public let rawValue: UInt16
    /// A class from its number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The Internet class.
    public static let internet = DNSRecordClass(rawValue: 1)
    /// `IN`, or `CLASSnnn`.
    public var description: String { rawValue == 1 ? "IN" : "CLASS\(rawValue)" }
}
