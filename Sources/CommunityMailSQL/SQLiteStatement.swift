import CommunityMailCSQLite

/// A compiled statement. Belongs to one ``SQLiteConnection`` and is used on the same
/// thread or task as it; finalized when released.
public final class SQLiteStatement {
    let handle: OpaquePointer
    /// The connection's handle. Not the connection itself: the connection caches its
    /// statements, and a strong reference back kept both alive forever (never closed).
    /// `sqlite3_close_v2` keeps the handle valid while a statement outlives its connection.
    private let databaseHandle: OpaquePointer
    /// The SQL text, for error messages.
    public let sql: String

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw SQLiteError.from(result: result, handle: connection.handle, operation: "prepare", fallback: .prepare)
        }
        self.handle = statement
        self.databaseHandle = connection.handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `values` to parameters 1...n, after clearing earlier bindings.
    public func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError.bind.with(message: "statement takes \(expected) parameters, \(values.count) given")
        }
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
    }

    /// Binds `value` to the parameter called `name` (with its `:`, `@` or `$`).
    public func bind(_ value: any SQLiteBindable, named name: String) throws(SQLiteError) {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else { throw SQLiteError.bind.with(message: "no parameter named \(name)") }
        try bind(value.sqliteValue, at: index)
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let result: Int32
        switch value {
        case .null:
            result = sqlite3_bind_null(handle, index)
        case .integer(let v):
            result = sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            result = sqlite3_bind_double(handle, index, v)
        case .text(let v):
            result = sqlite3_bind_text(handle, index, v, -1, sqliteTransient)
        case .blob(let v):
            result = v.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(bytes.count), sqliteTransient)
            }
        }
        guard result == SQLITE_OK else {
            throw SQLiteError.from(result: result, handle: databaseHandle, operation: "bind parameter \(index)", fallback: .bind)
        }
    }

    /// Runs one step. True when a row is ready to read, false when the statement is done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError.from(result: result, handle: databaseHandle, operation: "step")
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Resets the statement to run again; bindings stay.
    public func reset() { sqlite3_reset(handle) }

    /// Number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of result column `index`.
    public func columnName(_ index: Int) -> String {
        guard let name = sqlite3_column_name(handle, Int32(index)) else { return "" }
        return String(cString: name)
    }

    /// The value of column `index` of the current row.
    public func value(at index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let blob = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    /// Column `index` of the current row as an integer, read without building a
    /// ``SQLiteValue``: for loops over many rows. SQLite's conversion rules apply (NULL is 0,
    /// text is parsed as a number).
    public func integer(at index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    /// Column `index` of the current row as text, nil when it is NULL or empty: for loops
    /// over many rows where an empty column is the common case and should cost no String.
    public func nonEmptyText(at index: Int) -> String? {
        let column = Int32(index)
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column names of this statement's rows.
    public var columnNames: [String] { (0..<columnCount).map(columnName) }

    /// The current row; `columns` are ``columnNames``, passed in when the caller reads
    /// many rows so that they are decoded once.
    public func row(columns: [String]? = nil) -> SQLiteRow {
        SQLiteRow(columns: columns ?? columnNames, values: (0..<columnCount).map(value(at:)))
    }

    /// Steps to the end, collecting every row.
    public func allRows() throws(SQLiteError) -> [SQLiteRow] {
        var rows: [SQLiteRow] = []
        let columns = columnNames
        while try step() { rows.append(row(columns: columns)) }
        return rows
    }
}

/// SQLite's SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
