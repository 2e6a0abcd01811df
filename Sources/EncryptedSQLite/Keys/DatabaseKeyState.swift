import CommunityMailCrypto
import Synchronization

/// What one registered VFS instance knows about its database's keys: the configured secret,
/// the master key derived for the file's salt (derived once, shared by the database,
/// journal and WAL files), the page size, and the last authentication failure.
final class DatabaseKeyState: Sendable {
    let key: EncryptionKey
    let kdfIterations: Int
    let legacy: Bool
    /// The page size to assume where the file cannot say (legacy mode hides it).
    let configuredPageSize: Int

    private struct Derived {
        var salt: [UInt8]
        var masterKey: SecretBytes
    }

    private let derived = Mutex<Derived?>(nil)
    private let pageSizeStore = Atomic<Int>(0)
    private let failureStore = Mutex<EncryptedSQLiteError?>(nil)
    /// The last WAL page read, for the checkpoint that writes it to the database next.
    let handoff = CheckpointHandoff()

    init(key: EncryptionKey, kdfIterations: Int, legacy: Bool, configuredPageSize: Int) {
        self.key = key
        self.kdfIterations = kdfIterations
        self.legacy = legacy
        self.configuredPageSize = configuredPageSize
    }

    private var iterations: Int { legacy ? 12345 : kdfIterations }

    /// The master key for `salt`, derived on first use and cached.
    func masterKey(salt: [UInt8]) throws -> SecretBytes {
        if let cached = derived.withLock({ $0 }), cached.salt == salt { return cached.masterKey }
        let master = try key.masterKey(salt: salt, iterations: iterations)
        derived.withLock { $0 = Derived(salt: salt, masterKey: master) }
        return master
    }

    /// The salt for a file being created: the one already derived for, or a fresh one.
    func saltForNewDatabase() throws -> [UInt8] {
        if let cached = derived.withLock({ $0 }) { return cached.salt }
        let salt = try SecureRandom.bytes(PageCipher.saltLength)
        _ = try masterKey(salt: salt)
        return salt
    }

    /// The master key of the database this state serves (for its journal and WAL).
    var current: (masterKey: SecretBytes, salt: [UInt8])? {
        derived.withLock { value in value.map { ($0.masterKey, $0.salt) } }
    }

    /// The main database's page size, once known.
    var pageSize: Int {
        get { pageSizeStore.load(ordering: .acquiring) }
        set { pageSizeStore.store(newValue, ordering: .releasing) }
    }

    /// Records why a read failed, so the database can throw a typed error.
    func record(_ failure: EncryptedSQLiteError) { failureStore.withLock { $0 = failure } }

    /// The main database file this key is for, and how many connections have it open.
    private let mainDatabase = Mutex<(path: String?, openCount: Int)>((nil, 0))

    /// Marks the main database at `path` open; false when another file is open through this
    /// VFS (it keys one file: an attached one would need its own key). Several connections
    /// to the one file (a database's writer and readers) may hold it at once.
    func claimMainDatabase(path: String?) -> Bool {
        mainDatabase.withLock { state in
            if state.openCount == 0 {
                state = (path, 1)
                return true
            }
            guard let path, state.path == path else { return false }
            state.openCount += 1
            return true
        }
    }

    /// Marks one connection's main database closed.
    func releaseMainDatabase() {
        mainDatabase.withLock { state in
            state.openCount = max(0, state.openCount - 1)
            if state.openCount == 0 { state.path = nil }
        }
    }

    /// The last recorded failure, cleared.
    func takeFailure() -> EncryptedSQLiteError? { failureStore.withLock { value in defer { value = nil }; return value } }
}
