import CommunityMailSQL
import Foundation
import Synchronization

/// A few read connections, each behind its own lock. WAL lets them read while the writer
/// writes; each read runs in its own transaction, so it sees one committed state.
final class SQLiteReadPool: Sendable {
    // @unchecked: `connection` is only used while `lock` is held.
    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        let connection: SQLiteConnection
        init(_ connection: SQLiteConnection) { self.connection = connection }

        func use<T>(_ body: (SQLiteConnection) throws(AliasStoreError) -> T) throws(AliasStoreError) -> T {
            defer { lock.unlock() }
            return try body(connection)
        }
    }

    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    init(path: String, count: Int, configuration: SQLiteConnection.Configuration) throws(SQLiteError) {
        var slots: [Slot] = []
        for _ in 0..<max(1, count) {
            let connection = try SQLiteConnection(path: path, configuration: configuration)
            try connection.execute("PRAGMA query_only = ON")
            slots.append(Slot(connection))
        }
        self.slots = slots
    }

    /// Runs `body` on a free connection inside a read transaction; waits for one when all
    /// are busy (there are at least as many as the machine runs tasks at once by default).
    func read<T: Sendable>(_ body: (SQLiteConnection) throws(AliasStoreError) -> T) throws(AliasStoreError) -> T {
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        for offset in 0..<slots.count {
            let slot = slots[(start &+ offset) % slots.count]
            if slot.lock.try() {
                return try slot.use { connection throws(AliasStoreError) in try Self.inTransaction(connection, body) }
            }
        }
        let slot = slots[start % slots.count]
        slot.lock.lock()
        return try slot.use { connection throws(AliasStoreError) in try Self.inTransaction(connection, body) }
    }

    private static func inTransaction<T>(
        _ connection: SQLiteConnection, _ body: (SQLiteConnection) throws(AliasStoreError) -> T
    ) throws(AliasStoreError) -> T {
        // `run` reuses the compiled statements; `execute` would compile them every time.
        try storage { () throws(SQLiteError) in try connection.run("BEGIN DEFERRED") }
        let result: T
        do {
            result = try body(connection)
        } catch {
            _ = try? connection.run("ROLLBACK")
            throw error
        }
        try storage { () throws(SQLiteError) in try connection.run("COMMIT") }
        return result
    }
}
