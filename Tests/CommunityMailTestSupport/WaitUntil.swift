import Foundation

/// A condition a test waited for did not come true in time.
public struct ConditionNeverHeld: Error, CustomStringConvertible {
    /// What the test waited for.
    public let description: String
}

/// Waits until `condition` holds, looking again every few milliseconds.
///
/// Between looks the task sleeps, so the cooperative thread goes back to the pool: a loop
/// of `Task.yield()` keeps its thread busy, and on a two-core machine two such loops in a
/// parallel run can starve the very task they wait for. `timeout` only bounds a hang (it is
/// generous on purpose; no test asserts how long the wait took).
/// - Throws: ``ConditionNeverHeld`` when `timeout` passes first.
public func waitUntil(
    _ description: String, timeout: Duration = .seconds(300), _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw ConditionNeverHeld(description: description) }
        try await Task.sleep(for: .milliseconds(2))
    }
}
