public import CommunityMailSystem
import Synchronization

/// Who is connected and logged in: connection counts per client address (by
/// ``ClientAddressGroup``: an IPv6 client by its /64) and in total,
/// logged-in sessions per member, and the POP3 maildrop lock (RFC 1939: one POP3 session
/// per maildrop). Give one table to a host's POP3 and IMAP servers so the per-member
/// limit counts both.
public final class MailAccessSessionTable: Sendable {
    /// Why a connection or login was not admitted.
    public enum Refusal: Sendable, Hashable {
        /// The server's or the address's connection limit.
        case tooManyConnections
        /// The member's session limit.
        case tooManySessions
        /// Another POP3 session holds the member's maildrop.
        case maildropLocked
    }

    private struct State {
        var total = 0
        var perAddress: [ClientAddressGroup: Int] = [:]
        var perUser: [String: Int] = [:]
        var maildropLocks: Set<String> = []
    }

    private let state = Mutex(State())

    /// An empty table.
    public init() {}

    /// Counts a connection in, unless `limits` are reached; ``removeConnection(from:)``
    /// counts it out.
    public func addConnection(from client: InternetAddress?, limits: MailAccessLimits) -> Refusal? {
        state.withLock { state in
            guard state.total < limits.maximumSessions else { return .tooManyConnections }
            if let client {
                let group = ClientAddressGroup(client)
                guard state.perAddress[group, default: 0] < limits.maximumSessionsPerAddress else { return .tooManyConnections }
                state.perAddress[group, default: 0] += 1
            }
            state.total += 1
            return nil
        }
    }

    /// Counts a connection out.
    public func removeConnection(from client: InternetAddress?) {
        state.withLock { state in
            state.total -= 1
            if let client, let count = state.perAddress[ClientAddressGroup(client)] {
                state.perAddress[ClientAddressGroup(client)] = count > 1 ? count - 1 : nil
            }
        }
    }

    /// Counts a logged-in session of `userID` in (taking the maildrop lock when
    /// `locksMaildrop`), unless a limit or the lock stands in the way;
    /// ``removeSession(userID:locksMaildrop:)`` counts it out.
    public func addSession(userID: String, locksMaildrop: Bool, limits: MailAccessLimits) -> Refusal? {
        state.withLock { state in
            if locksMaildrop && state.maildropLocks.contains(userID) { return .maildropLocked }
            guard state.perUser[userID, default: 0] < limits.maximumSessionsPerUser else { return .tooManySessions }
            state.perUser[userID, default: 0] += 1
            if locksMaildrop { state.maildropLocks.insert(userID) }
            return nil
        }
    }

    /// Counts a logged-in session out (and releases the maildrop lock it took).
    public func removeSession(userID: String, locksMaildrop: Bool) {
        state.withLock { state in
            if let count = state.perUser[userID] { state.perUser[userID] = count > 1 ? count - 1 : nil }
            if locksMaildrop { state.maildropLocks.remove(userID) }
        }
    }

    /// Connections counted now.
    public var connectionCount: Int { state.withLock { $0.total } }

    /// Logged-in sessions of `userID` now.
    public func sessionCount(userID: String) -> Int { state.withLock { $0.perUser[userID, default: 0] } }
}
