extension EncryptedDatabase {
    /// One result row: values by column position or name.
    public struct Row: Sendable, Hashable {
        /// Column names, in order.
        public let columns: [String]
        /// Values, in column order.
        public let values: [Value]

        /// A row from its parts.
        public init(columns: [String], values: [Value]) {
            self.columns = columns
            self.values = values
        }

        /// The value at `index`.
        public subscript(index: Int) -> Value { values[index] }

        /// The value of the column named `name`, or NULL when there is no such column.
        public subscript(name: String) -> Value {
            guard let index = columns.firstIndex(of: name) else { return .null }
            return values[index]
        }
    }
}
