public import EncryptedMailbox

/// The members' mailboxes open now, one writer per member shared by all their sessions.
///
/// A `MailboxStoring` allows one writer per mailbox: a second session of the same member
/// (POP3 beside IMAP, or two IMAP clients) cannot open it again. So the first login opens
/// it, later logins share it (after proving the passphrase on a read-only open of their
/// own: knowing that someone else is logged in is not a password), and the last release
/// closes it. Openings and closings of the same member are serialised; different
/// members' run at once.
public actor SharedMailboxes {
    private enum Entry {
        /// Being opened or closed; these logins wait for it to finish.
        case busy(waiters: [CheckedContinuation<Void, Never>])
        /// Open; `generation` tells this opening from a later one.
        case open(any Mailbox, leases: Int, generation: Int)
    }

    private let store: any MailboxStoring
    private var entries: [String: Entry] = [:]
    private var nextGeneration = 0

    /// Mailboxes from `store`.
    public init(store: any MailboxStoring) { self.store = store }

    /// How many members have a mailbox open (or being opened or closed) now.
    public var openCount: Int { entries.count }

    /// A lease on `userID`'s mailbox, opened with `passphrase` (checked against the file
    /// even when the mailbox is open already).
    /// - Throws: the store's `MailboxError` (`.wrongPassphrase`, `.mailboxNotFound`,
    ///   `.locked` when another process writes it, `.storage`).
    public func lease(userID: String, passphrase: String?) async throws -> MailboxLease {
        while true {
            switch entries[userID] {
            case .busy?:
                await waitWhileBusy(userID)
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
                entries[userID] = .busy(waiters: [])
                let opened: Result<any Mailbox, any Error>
                do {
                    opened = .success(try await store.openMailbox(userID: userID, passphrase: passphrase, readOnly: false))
                } catch {
                    opened = .failure(error)
                }
                let waiters = takeWaiters(userID)
                defer { for waiter in waiters { waiter.resume() } }
                switch opened {
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

    /// Returns once `userID`'s opening or closing has finished.
    private func waitWhileBusy(_ userID: String) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            if case .busy(var waiters)? = entries[userID] {
                waiters.append(waiter)
                entries[userID] = .busy(waiters: waiters)
            } else {
                waiter.resume()
            }
        }
    }

    /// The logins waiting on `userID`'s busy entry (it stays busy, with none).
    private func takeWaiters(_ userID: String) -> [CheckedContinuation<Void, Never>] {
        guard case .busy(let waiters)? = entries[userID] else { return [] }
        entries[userID] = .busy(waiters: [])
        return waiters
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
        entries[userID] = .busy(waiters: [])
        await mailbox.close()
        let waiters = takeWaiters(userID)
        entries[userID] = nil
        for waiter in waiters { waiter.resume() }
    }
}
