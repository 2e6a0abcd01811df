import Synchronization

/// Counts key derivations per password, for tests that pin how many derivations a login
/// costs (tests run in parallel: each watches its own random password, so no test sees
/// another's). Watching nothing, as in production, costs one atomic load per derivation.
package enum PBKDF2Observation {
    private static let watching = Atomic<Int>(0)
    private static let counts = Mutex<[[UInt8]: Int]>([:])

    /// Starts counting the derivations whose password is `password` (from zero).
    package static func watch(password: [UInt8]) {
        counts.withLock { table in
            if table[password] == nil { watching.add(1, ordering: .sequentiallyConsistent) }
            table[password] = 0
        }
    }

    /// The derivations of `password` since ``watch(password:)``; nil when it is not watched.
    package static func derivations(password: [UInt8]) -> Int? {
        counts.withLock { $0[password] }
    }

    /// Stops counting `password`'s derivations.
    package static func stopWatching(password: [UInt8]) {
        counts.withLock { table in
            if table.removeValue(forKey: password) != nil { watching.subtract(1, ordering: .sequentiallyConsistent) }
        }
    }

    /// Called by every derivation.
    static func record<P: ContiguousBytesLike>(password: P) {
        guard watching.load(ordering: .sequentiallyConsistent) > 0 else { return }
        var bytes = password.withUnsafeBytes { Array($0) }
        defer { SecureMemory.wipe(&bytes) }
        counts.withLock { table in
            if let count = table[bytes] { table[bytes] = count + 1 }
        }
    }
}
