public import Foundation
import Synchronization

/// A ``SyncLedger`` in memory.
public final class InMemorySyncLedger: SyncLedger {
    private let stamps = Mutex<[String: Date]>([:])
    private let accounts = Mutex<[String: Date]>([:])

    /// An empty ledger.
    public init() {}

    /// See ``SyncLedger/lastSync(of:)``.
    public func lastSync(of userID: String) async throws -> Date? { stamps.withLock { $0[userID] } }

    /// See ``SyncLedger/recordSync(of:mapBuiltAt:)``.
    public func recordSync(of userID: String, mapBuiltAt: Date) async throws {
        stamps.withLock { stamps in
            if let current = stamps[userID], current >= mapBuiltAt { return }
            stamps[userID] = mapBuiltAt
        }
    }

    /// See ``SyncLedger/launchpadAccountCreated(of:)``.
    public func launchpadAccountCreated(of userID: String) async throws -> Date? { accounts.withLock { $0[userID] } }

    /// See ``SyncLedger/recordLaunchpadAccountCreated(_:of:)``.
    public func recordLaunchpadAccountCreated(_ date: Date, of userID: String) async throws {
        accounts.withLock { $0[userID] = date }
    }
}
