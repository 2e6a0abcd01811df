/// One result row: values by column position or name.
public struct SQLiteRow: Sendable, Hashable {
    /// Column names, in order.
    public let columns: [String]
    /// Values, in column order.
    public let values: [SQLiteValue]

    /// A row from its parts.
    public init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value at `index`.
    public subscript(index: Int) -> SQLiteValue { values[index] }

    /// The value of the column named `name`, or NULL when there is no such column.
    public subscript(name: String) -> SQLiteValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    /// The integer in column `name`.
    /// - Throws: `SQLiteError.typeMismatch` when it is not an integer.
    public func integer(_ name: String) throws(SQLiteError) -> Int64 {
        guard let value = self[name].integerValue else { throw mismatch(name, "an integer") }
        return value
    }

    /// The text in column `name`.
    /// - Throws: `SQLiteError.typeMismatch` when it is not text.
    public func text(_ name: String) throws(SQLiteError) -> String {
        guard let value = self[name].textValue else { throw mismatch(name, "text") }
        return value
    }

    /// The blob in column `name`.
    /// - Throws: `SQLiteError.typeMismatch` when it is not a blob.
    public func blob(_ name: String) throws(SQLiteError) -> [UInt8] {
        guard let value = self[name].blobValue else { throw mismatch(name, "a blob") }
        return value
    }

    private func mismatch(_ name: String, _ expected: String) -> SQLiteError {
        SQLiteError.typeMismatch.with(message: "column \(name) does not hold \(expected)")
    }
}
