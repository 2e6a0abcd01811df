import Synchronization

/// The server-wide count of message octets held in memory, against
/// ``ForwarderServer/Configuration/messageMemoryBudget``: each connection reserves what its
/// message holds as it arrives and gives it back when the relay has answered.
final class MessageMemoryBudget: Sendable {
    /// The most octets all reservations together may reach.
    let limit: Int
    private let reserved = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// The octets reserved now, over all connections.
    var inUse: Int { reserved.withLock { $0 } }

    /// The octets still free.
    var available: Int { limit - inUse }

    /// Moves a reservation of `reservation` octets to `amount`: giving back always
    /// succeeds; taking more only when the budget has room. False, with `reservation`
    /// unchanged, when it has not.
    func resize(_ reservation: inout Int, to amount: Int) -> Bool {
        let current = reservation
        let granted = reserved.withLock { total -> Bool in
            let next = total - current + amount
            guard amount <= current || next <= limit else { return false }
            total = next
            return true
        }
        if granted { reservation = amount }
        return granted
    }
}
