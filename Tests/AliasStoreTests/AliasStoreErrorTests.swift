import AliasStore
import CommunityMailSQL
import CommunityMailSystem
import Testing

@Suite("AliasStoreError and SQLiteError classification")
struct AliasStoreErrorTests {
    @Test("a busy database is transient, a damaged one or a broken constraint is not")
    func sqlite() {
        #expect(SQLiteError.busy.isTransient)
        #expect(SQLiteError.busy.isTransientFailure)
        for error in [SQLiteError.constraint, .corrupt, .notADatabase, .readOnly, .misuse, .schema, .open, .prepare] {
            #expect(!error.isTransient, "\(error)")
        }
    }

    @Test("storage follows its cause; refusals of the request never pass")
    func aliasStore() {
        #expect(AliasStoreError.storage.with(message: "locked", cause: SQLiteError.busy).isTransient)
        #expect(!AliasStoreError.storage.with(message: "damaged", cause: SQLiteError.corrupt).isTransient)
        #expect(AliasStoreError.storage.isTransient)  // no cause kept: worth one more try
        let kept = AliasStoreError.storage.with(message: "locked", cause: SQLiteError.busy)
        #expect(kept.with(message: "again").cause as? SQLiteError == .busy)
        for error in [AliasStoreError.invalidLocalPart, .invalidDomain, .reservedName, .notPermitted, .aliasLimitReached,
                      .duplicateAlias, .userNotFound, .conflict, .invalidSnapshot] {
            #expect(!error.isTransient, "\(error)")
        }
    }
}
