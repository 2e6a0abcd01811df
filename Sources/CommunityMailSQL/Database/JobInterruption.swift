import CommunityMailCSQLite
import Synchronization

/// Stops one job's statements once its task is cancelled, and never a later job's.
///
/// `sqlite3_interrupt` alone stops only the statements running when it is called: SQLite
/// forgets it as soon as none runs, so a cancellation that lands between two statements
/// would let the next ones run to the end. While the job runs, a progress handler on its
/// connection therefore asks every thousand virtual-machine instructions whether the task was
/// cancelled, and interrupts the statement when it was.
final class JobInterruption: Sendable {
    /// How many SQLite virtual-machine instructions run between two looks at the flag: often
    /// enough that a cancelled query stops at once, rarely enough to cost nothing measurable.
    private static let instructionsBetweenChecks: Int32 = 1000

    /// The job's connection. `unsafe`: the job uses it on its own thread; from another
    /// thread only the thread-safe `sqlite3_interrupt` is called on it, and only while the
    /// job runs.
    nonisolated(unsafe) private let connection: SQLiteConnection
    private let cancelled = Atomic<Bool>(false)
    private let running = Mutex(true)

    init(_ connection: SQLiteConnection) { self.connection = connection }

    private var handle: OpaquePointer { connection.handle }

    /// Runs `body` (the job, on the connection's thread) with the progress handler installed.
    /// A job never leaves a transaction open for the next one: should a cancellation have
    /// interrupted the job's own ROLLBACK (or COMMIT), it is rolled back here, with the
    /// handler gone.
    func watching<Value>(_ body: () throws -> Value) rethrows -> Value {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(handle, Self.instructionsBetweenChecks, { context in
            guard let context else { return 0 }
            return Unmanaged<JobInterruption>.fromOpaque(context).takeUnretainedValue().isCancelled ? 1 : 0
        }, context)
        defer {
            sqlite3_progress_handler(handle, 0, nil, nil)
            if connection.isInTransaction { _ = try? connection.run("ROLLBACK") }
        }
        return try body()
    }

    private var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// The task was cancelled: interrupts the running statement and every later one of this
    /// job. Does nothing once the job has finished.
    func interrupt() {
        running.withLock { running in
            guard running else { return }
            cancelled.store(true, ordering: .relaxed)
            sqlite3_interrupt(handle)
        }
    }

    /// The job returned; a cancellation from now on touches nothing.
    func finish() { running.withLock { $0 = false } }
}
