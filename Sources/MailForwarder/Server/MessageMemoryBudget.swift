import CommunityMailSystem
import Synchronization

/// The server-wide count of message octets held in memory, against
/// ``ForwarderServer/Configuration/messageMemoryBudget``: each connection reserves what its
/// message holds as it arrives and gives it back when the relay has answered. One client
/// address may hold at most ``clientLimit`` of it, so a few slow clients cannot take all.
final class MessageMemoryBudget: Sendable {
    /// The most octets all reservations together may reach.
    let limit: Int
    /// The most octets the reservations of one client address may reach.
    let clientLimit: Int
    private let reserved = Mutex(Reservations())

    private struct Reservations {
        var total = 0
        var perClient: [InternetAddress: Int] = [:]
    }

    /// `limit` in all; an eighth of it for one client address, but at least
    /// `largestMessage` (one message of the largest size must always fit).
    init(limit: Int, largestMessage: Int) {
        self.limit = limit
        clientLimit = min(limit, max(limit / 8, largestMessage))
    }

    /// The octets reserved now, over all connections.
    var inUse: Int { reserved.withLock { $0.total } }

    /// The octets still free for a connection from `client` (nil: a session a host runs
    /// itself, with no address; only the total applies).
    func available(for client: InternetAddress?) -> Int {
        reserved.withLock { reservations in
            let free = limit - reservations.total
            guard let client else { return free }
            return min(free, clientLimit - reservations.perClient[client, default: 0])
        }
    }

    /// Moves a reservation of `reservation` octets, made for `client`, to `amount`: giving
    /// back always succeeds; taking more only when the budget and the client's share have
    /// room. False, with `reservation` unchanged, when they have not.
    func resize(_ reservation: inout Int, to amount: Int, for client: InternetAddress?) -> Bool {
        let current = reservation
        let granted = reserved.withLock { reservations -> Bool in
            let next = reservations.total - current + amount
            guard let client else {
                guard amount <= current || next <= limit else { return false }
                reservations.total = next
                return true
            }
            let clientNext = reservations.perClient[client, default: 0] - current + amount
            guard amount <= current || (next <= limit && clientNext <= clientLimit) else { return false }
            reservations.total = next
            reservations.perClient[client] = clientNext > 0 ? clientNext : nil
            return true
        }
        if granted { reservation = amount }
        return granted
    }
}
