import Foundation
import Synchronization

/// Set when the task waiting for a socket thread is cancelled; the thread polls it.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
    func cancel() { flag.store(true, ordering: .releasing) }

    /// Runs `body` on a new thread and resumes with its value; cancelling the task sets
    /// the flag that `body` receives.
    static func runOnThread<T: Sendable>(_ body: @escaping @Sendable (CancellationFlag) -> T) async -> T {
        let flag = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
                let thread = Thread { continuation.resume(returning: body(flag)) }
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
    }
}
