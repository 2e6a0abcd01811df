/// A value SQLite stores: NULL, a 64-bit integer, a double, UTF-8 text or a blob.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes.
    case blob([UInt8])

    /// The integer, if this is one.
    public var integerValue: Int64? { if case .integer(let v) = self { v } else { nil } }
    /// The double (integers widen), if this is numeric.
    public var realValue: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    /// The text, if this is text.
    public var textValue: String? { if case .text(let v) = self { v } else { nil } }
    /// The bytes, if this is a blob.
    public var blobValue: [UInt8]? { if case .blob(let v) = self { v } else { nil } }
    /// True for NULL.
    public var isNull: Bool { self == .null }
}

/// Types that bind to a statement parameter.
public protocol SQLiteBindable: Sendable {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    /// `self`.
    public var sqliteValue: SQLiteValue { self }
}
extension Int: SQLiteBindable {
    /// As an integer.
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}
extension Int64: SQLiteBindable {
    /// As an integer.
    public var sqliteValue: SQLiteValue { .integer(self) }
}
extension Bool: SQLiteBindable {
    /// As 0 or 1.
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}
extension Double: SQLiteBindable {
    /// As a double.
    public var sqliteValue: SQLiteValue { .real(self) }
}
extension String: SQLiteBindable {
    /// As text.
    public var sqliteValue: SQLiteValue { .text(self) }
}
extension Array: SQLiteBindable where Element == UInt8 {
    /// As a blob.
    public var sqliteValue: SQLiteValue { .blob(self) }
}
extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    /// The wrapped value, or NULL.
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}
