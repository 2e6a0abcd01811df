import Testing

@testable import CommunityMailSQL

@Suite("ConnectionPool: a reader that could not open waits behind the open ones", .timeLimit(.minutes(1)))
struct ConnectionPoolTests {
    @Test("A slot whose open failed goes back behind the open connection, and to no waiter")
    func failedOpenGoesToTheBack() async throws {
        let working = PooledConnection(try SQLiteConnection(path: ":memory:"))
        let failing = PooledConnection(opening: { () throws(SQLiteError) -> SQLiteConnection in throw SQLiteError.closed })
        let pool = ConnectionPool([working, failing])
        let first = try await pool.acquire()
        let second = try await pool.acquire()
        #expect(first === working && second === failing)
        #expect(throws: SQLiteError.self) { try second.connection() }
        // The open one comes back first, then the one that failed: the next borrowers get
        // the open one, not the failed slot again.
        pool.release(first)
        pool.release(second)
        let next = try await pool.acquire()
        #expect(next === working)
        // While the open one is lent, a waiter is not handed the failed slot: it waits for
        // the open one.
        let third = try await pool.acquire()
        #expect(third === failing)
        async let waiting = pool.acquire()
        while pool.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        pool.release(third)
        pool.release(next)
        let served = try await waiting
        #expect(served === working)
        pool.release(served)
        await pool.close()
    }
}
