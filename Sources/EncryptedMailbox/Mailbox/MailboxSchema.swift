import CommunityMailSQL

/// The tables of a mailbox file. Bodies are stored once and shared by copies; messages
/// place a body in a folder under a UID. Triggers keep the usage totals and drop a body
/// (its raw bytes and its full-text row) when no message uses it any more.
///
/// The raw bytes live in their own table, apart from the indexed fields: a search scans
/// `bodies`, and a blob in its rows would make every scan read the blobs' overflow pages.
///
/// `messages.size` is the message's size in RFC 5322 form (``MessageSize``), not the
/// stored length: migration 2 recomputes it for files written before.
///
/// `folders.message_count` and `folders.unseen_count` are kept by triggers on `messages`
/// (migration 5): a folder's status reads them; only its `\Recent` count is counted, over
/// the few UIDs from `first_recent_uid` up.
///
/// Migrations only ever append: a file opened by newer code runs the steps it lacks.
enum MailboxSchema {
    static let migrations: [SQLiteMigration] = [
        """
        CREATE TABLE mailbox_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO mailbox_meta(key, value) VALUES ('modseq', 0), ('uidvalidity', 0), ('bytes', 0), ('messages', 0);
        CREATE TABLE folders(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            special_use TEXT UNIQUE,
            subscribed INTEGER NOT NULL DEFAULT 0,
            uid_validity INTEGER NOT NULL,
            uid_next INTEGER NOT NULL DEFAULT 1,
            highest_modseq INTEGER NOT NULL
        );
        CREATE TABLE bodies(
            id INTEGER PRIMARY KEY,
            header_length INTEGER NOT NULL,
            date INTEGER,
            from_text TEXT NOT NULL,
            to_text TEXT NOT NULL,
            cc_text TEXT NOT NULL,
            subject TEXT NOT NULL,
            message_id TEXT,
            in_reply_to TEXT NOT NULL,
            reference_ids TEXT NOT NULL,
            has_attachment INTEGER NOT NULL,
            from_fold TEXT NOT NULL,
            to_fold TEXT NOT NULL,
            cc_fold TEXT NOT NULL,
            subject_fold TEXT NOT NULL,
            message_id_fold TEXT NOT NULL
        );
        CREATE TABLE contents(id INTEGER PRIMARY KEY, raw BLOB NOT NULL);
        CREATE TABLE header_fields(
            body_id INTEGER NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            value_fold TEXT NOT NULL,
            PRIMARY KEY(body_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX header_fields_by_name ON header_fields(name, body_id);
        CREATE TABLE messages(
            id INTEGER PRIMARY KEY,
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            body_id INTEGER NOT NULL REFERENCES bodies(id),
            flags INTEGER NOT NULL,
            keywords TEXT NOT NULL,
            internal_date INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            size INTEGER NOT NULL,
            UNIQUE(folder_id, uid)
        );
        CREATE INDEX messages_by_modseq ON messages(folder_id, modseq);
        CREATE INDEX messages_by_body ON messages(body_id);
        CREATE TABLE vanished(
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY(folder_id, uid)
        ) WITHOUT ROWID;
        CREATE VIRTUAL TABLE body_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');
        CREATE TRIGGER messages_added AFTER INSERT ON messages BEGIN
            UPDATE mailbox_meta SET value = value + new.size WHERE key = 'bytes';
            UPDATE mailbox_meta SET value = value + 1 WHERE key = 'messages';
        END;
        CREATE TRIGGER messages_removed AFTER DELETE ON messages BEGIN
            UPDATE mailbox_meta SET value = value - old.size WHERE key = 'bytes';
            UPDATE mailbox_meta SET value = value - 1 WHERE key = 'messages';
            DELETE FROM bodies WHERE id = old.body_id AND NOT EXISTS (SELECT 1 FROM messages WHERE body_id = old.body_id);
        END;
        CREATE TRIGGER bodies_removed AFTER DELETE ON bodies BEGIN
            DELETE FROM body_text WHERE rowid = old.id;
            DELETE FROM contents WHERE id = old.id;
            DELETE FROM header_fields WHERE body_id = old.id;
        END;
        """,
        // 2: sizes in RFC 5322 form (a stored bare LF counts as CRLF), and the quota's
        // byte count summed again from them.
        .code(recomputeSizes),
        // 3: every message's state in UID order from the index alone (SELECT, STATUS, a
        // state-only FETCH): one walk of it rather than a table look-up per message.
        """
        CREATE INDEX messages_state ON messages(folder_id, uid, modseq, flags, keywords);
        """,
        // 4: IMAP \Recent (RFC 3501 section 2.3.2): messages from `first_recent_uid` up are
        // recent and not yet claimed by a session; a claim raises it (to at most `uid_next`). A new
        // folder starts at 1. Folders of an older file start at UIDNEXT: their messages were
        // there before anyone counted them, and must not all turn recent at the next SELECT.
        """
        ALTER TABLE folders ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1;
        UPDATE folders SET first_recent_uid = uid_next;
        """,
        // 5: each folder's message and unseen counts kept in its row, so STATUS and LIST
        // read them rather than count the folder. Triggers keep them: an insert (append,
        // copy, the new half of a move) adds, a delete (expunge, the old half of a move, a
        // deleted folder's cascade) takes away, and an update that changes \Seen (flag 1)
        // or the folder moves the message between the counts; other flag changes (the
        // common STORE) do not touch the folder row. An older file's counts are taken once.
        """
        ALTER TABLE folders ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE folders ADD COLUMN unseen_count INTEGER NOT NULL DEFAULT 0;
        UPDATE folders SET
            message_count = (SELECT count(*) FROM messages m WHERE m.folder_id = folders.id),
            unseen_count = (SELECT count(*) FROM messages m WHERE m.folder_id = folders.id AND m.flags & 1 = 0);
        CREATE TRIGGER messages_counted AFTER INSERT ON messages BEGIN
            UPDATE folders SET message_count = message_count + 1, unseen_count = unseen_count + (new.flags & 1 = 0)
            WHERE id = new.folder_id;
        END;
        CREATE TRIGGER messages_uncounted AFTER DELETE ON messages BEGIN
            UPDATE folders SET message_count = message_count - 1, unseen_count = unseen_count - (old.flags & 1 = 0)
            WHERE id = old.folder_id;
        END;
        CREATE TRIGGER messages_recounted AFTER UPDATE OF flags, folder_id ON messages
        WHEN old.folder_id IS NOT new.folder_id OR (old.flags & 1) IS NOT (new.flags & 1) BEGIN
            UPDATE folders SET message_count = message_count - 1, unseen_count = unseen_count - (old.flags & 1 = 0)
            WHERE id = old.folder_id;
            UPDATE folders SET message_count = message_count + 1, unseen_count = unseen_count + (new.flags & 1 = 0)
            WHERE id = new.folder_id;
        END;
        """,
    ]
}
