import EncryptedMailbox

extension IMAPSession {
    /// CREATE (RFC 9051 section 6.3.4) with `USE (...)` (RFC 6154 section 3): a trailing
    /// delimiter is dropped; at most one special use, and not `\Inbox`.
    func create(_ requested: String, specialUse attributes: [String]) async throws -> IMAPCommandOutcome {
        var name = requested
        while name.count > 1, name.last == Self.delimiter { name.removeLast() }
        if name.uppercased() == "INBOX" { return IMAPCommandOutcome(.no("INBOX always exists", code: .alreadyExists)) }
        var use: SpecialUse?
        if !attributes.isEmpty {
            guard attributes.count == 1,
                let found = SpecialUse.allCases.first(where: { $0 != .inbox && $0.rawValue.lowercased() == attributes[0].lowercased() })
            else {
                return IMAPCommandOutcome(.no("unsupported special use", code: .useAttribute))
            }
            use = found
        }
        _ = try await attempt { try await mailbox.createFolder(name, specialUse: use) }
        return IMAPCommandOutcome(.ok("CREATE completed"))
    }

    /// DELETE: the folder and its messages (folders below it stay). Deleting the selected
    /// folder reports its messages removed.
    func delete(_ name: String) async throws -> IMAPCommandOutcome {
        try await attempt { try await mailbox.deleteFolder(name) }
        if var folder = selected, folder.name == name {
            folder.sequence.noteAllExpunged()
            folder.isDeleted = true
            selected = folder
        }
        return IMAPCommandOutcome(.ok("DELETE completed"))
    }

    /// RENAME: the folder and every folder below it keep their messages and UIDVALIDITY;
    /// renaming INBOX moves its messages to the new folder and leaves INBOX empty.
    func rename(_ name: String, to newName: String) async throws -> IMAPCommandOutcome {
        try await attempt { try await mailbox.renameFolder(name, to: newName) }
        return IMAPCommandOutcome(.ok("RENAME completed"))
    }

    /// SUBSCRIBE and UNSUBSCRIBE (only existing folders can be subscribed).
    func subscribe(_ name: String, _ subscribed: Bool) async throws -> IMAPCommandOutcome {
        try await attempt { try await mailbox.setSubscribed(name, subscribed) }
        return IMAPCommandOutcome(.ok(subscribed ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed"))
    }
}
