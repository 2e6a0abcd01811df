import Foundation

/// A gate that blocked threads (executor jobs) wait at until the test opens it, so work
/// queued behind them cannot start before the test says so.
final class ThreadGate: @unchecked Sendable {
    // @unchecked: `isOpen` is only used with `condition` locked.
    private let condition = NSCondition()
    private var isOpen = false

    func wait() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
}
