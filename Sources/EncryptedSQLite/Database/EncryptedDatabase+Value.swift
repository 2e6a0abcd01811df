import CommunityMailCrypto
import CommunityMailSQL

extension EncryptedDatabase {
    /// A value stored in an encrypted database: NULL, a 64-bit integer, a double, UTF-8 text or bytes.
    public enum Value: Sendable, Hashable, CustomStringConvertible {
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
        public var integerValue: Int64? { if case .integer(let value) = self { value } else { nil } }
        /// The text, if this is text.
        public var textValue: String? { if case .text(let value) = self { value } else { nil } }
        /// The bytes, if this is a blob.
        public var blobValue: [UInt8]? { if case .blob(let value) = self { value } else { nil } }

        /// The value as `encrypted-sql` prints it: NULL, the number, the text, or `x'<hex>'`.
        public var description: String {
            switch self {
            case .null: "NULL"
            case .integer(let value): String(value)
            case .real(let value): String(value)
            case .text(let value): value
            case .blob(let bytes): "x'" + Hex.encode(bytes) + "'"
            }
        }

        init(_ value: SQLiteValue) {
            switch value {
            case .null: self = .null
            case .integer(let v): self = .integer(v)
            case .real(let v): self = .real(v)
            case .text(let v): self = .text(v)
            case .blob(let v): self = .blob(v)
            }
        }

        var sqliteValue: SQLiteValue {
            switch self {
            case .null: .null
            case .integer(let v): .integer(v)
            case .real(let v): .real(v)
            case .text(let v): .text(v)
            case .blob(let v): .blob(v)
            }
        }
    }
}
