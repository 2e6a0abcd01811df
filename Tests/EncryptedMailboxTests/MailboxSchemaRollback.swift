/// SQL that takes a mailbox file back to an earlier schema version, for the tests that open
/// files as earlier code wrote them: one constant per migration, run newest first, then
/// `setUserVersion` to the version reached.
enum MailboxSchemaRollback {
    /// Undoes migration 5 (the folders' message and unseen counters and their triggers).
    static let folderCounters = """
        DROP TRIGGER messages_counted; DROP TRIGGER messages_uncounted; DROP TRIGGER messages_recounted;
        ALTER TABLE folders DROP COLUMN message_count; ALTER TABLE folders DROP COLUMN unseen_count;
        """

    /// Undoes migration 4 (`\Recent`'s first unclaimed UID per folder).
    static let firstRecentUID = "ALTER TABLE folders DROP COLUMN first_recent_uid;"
}
