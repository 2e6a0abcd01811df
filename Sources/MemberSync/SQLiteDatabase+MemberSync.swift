import CommunityMailSQL
import CommunityMailSystem

extension SQLiteDatabase {
    /// Opens one of MemberSync's files (the ledger, the notice log) on the calling thread,
    /// migrated to `migrations`; a failure is ``MemberSyncError/storage`` naming `what`.
    static func openMemberSyncFile(
        path: String, migrations: [String], synchronous: Synchronous, readers: Int, what: String
    ) throws(MemberSyncError) -> SQLiteDatabase {
        var configuration = SQLiteDatabase.Configuration(path: path)
        configuration.migrations = migrations.map(SQLiteMigration.init(sql:))
        configuration.synchronous = synchronous
        configuration.readerCount = readers
        do {
            return try SQLiteDatabase(configuration: configuration)
        } catch {
            throw MemberSyncError.storage(error, doing: "open \(what)")
        }
    }
}
