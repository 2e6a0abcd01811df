public import EncryptedMailbox

/// The members' mailboxes open now, one writer per member shared by all their sessions.
///
/// A `MailboxStoring` allows one writer per mailbox: a second session of the same member
/// (POP3 beside IMAP, or two IMAP clients) cannot open it again. So the first login opens
/// it, later logins share it (after proving the passphrase on a read-only open of their
/// own: knowing that someone else is logged in is not a password), and the last release
/// closes it. Openings of the same member are serialised; different members' run at once.
public actor SharedMailboxes {
    private enum Entry {
        /// Being opened by a login; others wait for it.
        case opening(Task<Result<any Mailbox, any Error>, Never>)
        /// Open; `generation` tells this opening from a later one.
        case open(any Mailbox, leases: Int, generation: Int)
        /// The last lease ended and the writer is closing; a new login waits for it.
        case closing(Task<Void, Never>)
    }

    private let store: any MailboxStoring
    private var entries: [String: Entry] = [:]
    private var nextGeneration = 0

    /// Mailboxes from `store`.
    public init(store: any MailboxStoring) { self.store = store }

    /// How many members have a mailbox open now.
    public var openCount: Int { entries.count }

    /// A lease on `userID`'s mailbox, opened with `passphrase` (checked against the file
    /// even when the mailbox is open already).
    /// - Throws: the store's `MailboxError` (`.wrongPassphrase`, `.mailboxNotFound`,
    ///   `.locked` when another process writes it, `.storage`).
    public func lease(userID: String, passphrase: String?) async throws -> MailboxLease {
        while true {
            switch entries[userID] {
            case .opening(let task)?:
                // Another login of this member is opening it: wait, then look again.
                _ = await task.value
                continue
            case .closing(let task)?:
                await task.value
                continue
            case .open(_, _, let generation)?:
                // The passphrase must open the file itself; a read-only opener sits beside
                // the writer and is closed at once.
                let probe = try await store.openMailbox(userID: userID, passphrase: passphrase, readOnly: true)
                await probe.close()
                // The mailbox may have closed (and opened anew) while the probe ran.
                guard case .open(let current, let count, generation)? = entries[userID] else { continue }
                entries[userID] = .open(current, leases: count + 1, generation: generation)
                return makeLease(userID: userID, mailbox: current, generation: generation)
            case nil:
                let store = store
                let task = Task { () -> Result<any Mailbox, any Error> in
                    do {
                        return .success(try await store.openMailbox(userID: userID, passphrase: passphrase, readOnly: false))
                    } catch {
                        return .failure(error)
                    }
                }
                entries[userID] = .opening(task)
                let result = await task.value
                switch result {
                case .success(let mailbox):
                    nextGeneration += 1
                    entries[userID] = .open(mailbox, leases: 1, generation: nextGeneration)
                    return makeLease(userID: userID, mailbox: mailbox, generation: nextGeneration)
                case .failure(let error):
                    entries[userID] = nil
                    throw error
                }
            }
        }
    }

    private func makeLease(userID: String, mailbox: any Mailbox, generation: Int) -> MailboxLease {
        MailboxLease(userID: userID, mailbox: mailbox) { [self] in await self.release(userID: userID, generation: generation) }
    }

    /// One lease of `userID` ended; the last one closes the mailbox.
    private func release(userID: String, generation: Int) async {
        guard case .open(let mailbox, let leases, generation)? = entries[userID] else { return }
        if leases > 1 {
            entries[userID] = .open(mailbox, leases: leases - 1, generation: generation)
            return
        }
        let closing = Task { await mailbox.close() }
        entries[userID] = .closing(closing)
        await closing.value
        if case .closing? = entries[userID] { entries[userID] = nil }
    }
}
