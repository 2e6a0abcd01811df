import Synchronization

/// The requests one `begin` or `complete` may still make (``OpenIDURLPolicy/maximumFetches``),
/// shared by discovery and direct requests.
final class OutboundFetchBudget: Sendable {
    private let remaining: Atomic<Int>

    init(_ limit: Int) { remaining = Atomic(limit) }

    /// Takes one request from the budget.
    /// - Throws: ``OpenIDError/tooManyFetches`` when none is left.
    func spend() throws(OpenIDError) {
        guard remaining.subtract(1, ordering: .acquiringAndReleasing).newValue >= 0 else {
            throw OpenIDError.tooManyFetches
        }
    }
}
