public import EncryptedMailbox
import Foundation

/// One client's IMAP4rev2/IMAP4rev1 session in the authenticated and selected states, on
/// the member's ``Mailbox``: every command from ENABLE and SELECT to MOVE and GETQUOTAROOT,
/// apart from I/O. The connection parses a command, hands it to ``handle(_:writer:)`` and
/// writes what the session writes to its ``IMAPResponseWriter``.
///
/// Several sessions (and the forwarder) may use one mailbox at once. The session follows
/// `mailbox.events()` and tells its client about changes made elsewhere only where RFC 9051
/// section 7.5.1 allows it: at the end of a command (removals not during FETCH, STORE or
/// SEARCH by sequence number), at NOOP and CHECK, and through ``writePendingUpdates(to:)``
/// while the client idles. Message sequence numbers change only when the client is told.
public actor IMAPSession {
    let mailbox: any Mailbox
    let configuration: Configuration
    /// What the client turned on with ENABLE or a CONDSTORE-enabling command.
    var extensions = IMAPEnabledExtensions()
    /// The selected folder, nil in the authenticated state.
    var selected: IMAPSelectedFolder?
    /// The result SEARCH RETURN (SAVE) kept for `$` (RFC 5182), as UIDs.
    var savedSearchResult: [UInt32]?
    /// Events that arrived while a SELECT was reading the folder, applied when it is done;
    /// nil outside SELECT.
    var eventsDuringSelect: [MailboxEvent]?
    /// Reads the mailbox's events into this session; nil until the first command.
    var eventTask: Task<Void, Never>?
    /// Tasks in ``waitForUpdates()``, woken when an update becomes pending.
    var updateWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// True after ``close()``.
    var isClosed = false

    /// A session in the authenticated state on `mailbox` (the connection makes it after LOGIN/AUTHENTICATE).
    public init(mailbox: any Mailbox, configuration: Configuration = Configuration()) {
        self.mailbox = mailbox
        self.configuration = configuration
    }

    deinit {
        eventTask?.cancel()
    }

    /// Runs one command of the authenticated or selected state: writes its untagged responses, then
    /// its tagged one. Commands the connection owns (CAPABILITY, LOGOUT, STARTTLS, AUTHENTICATE,
    /// LOGIN, IDLE, ID) get `tag BAD`. Throws only when the writer throws.
    public func handle(_ command: IMAPCommand, writer: some IMAPResponseWriter) async throws {
        await followEvents()
        if Self.isUIDCommand(command.kind), selected?.sequence.hasPendingExpunges == true {
            // RFC 9051 section 7.5.1 lets UID commands report removals: doing it first keeps
            // the sequence numbers in their responses current.
            try await writeUpdates(to: writer, includingExpunges: true)
        }
        let outcome: IMAPCommandOutcome
        do {
            outcome = try await run(command.kind, tag: command.tag, writer: writer)
        } catch let failure as IMAPCommandFailure {
            outcome = IMAPCommandOutcome(failure.response, reportsExpunges: failure.reportsExpunges)
        }
        if outcome.sendsUpdates, selected != nil {
            try await writeUpdates(to: writer, includingExpunges: outcome.reportsExpunges)
        }
        try await writer.write(.tagged(tag: command.tag, outcome.response))
    }

    /// Writes the untagged updates pending from other sessions / the forwarder (EXISTS, EXPUNGE or
    /// VANISHED, FETCH FLAGS [MODSEQ]): what IDLE writes as changes arrive.
    public func writePendingUpdates(to writer: some IMAPResponseWriter) async throws {
        await followEvents()
        guard selected != nil else { return }
        try await writeUpdates(to: writer, includingExpunges: true)
    }

    /// Returns when updates are pending (at once if some are); cancellable. The connection's IDLE
    /// loop: waitForUpdates, writePendingUpdates, until DONE.
    public func waitForUpdates() async {
        await followEvents()
        guard !hasPendingUpdates, !isClosed, !Task.isCancelled else { return }
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if hasPendingUpdates || isClosed || Task.isCancelled {
                    continuation.resume()
                } else {
                    updateWaiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.wake(id) }
        }
    }

    /// UTF-8 mailbox names are on (ENABLE UTF8=ACCEPT or IMAP4rev2): after each command the
    /// connection sets the parser's `utf8MailboxNames` and the encoder's `utf8` from it.
    public var utf8Enabled: Bool { extensions.utf8Accept || extensions.imap4rev2 }

    /// Stops following the mailbox's events (the connection releases its MailboxLease itself).
    public func close() async {
        isClosed = true
        eventTask?.cancel()
        eventTask = nil
        selected = nil
        wakeAll()
    }

    // MARK: Dispatch

    /// True for the UID forms of FETCH, STORE, SEARCH, COPY, MOVE and EXPUNGE.
    private static func isUIDCommand(_ kind: IMAPCommand.Kind) -> Bool {
        switch kind {
        case .fetch(_, _, _, let uid), .store(_, _, _, let uid), .search(_, let uid), .copy(_, _, let uid), .move(_, _, let uid): uid
        case .uidExpunge: true
        default: false
        }
    }

    private func run(_ kind: IMAPCommand.Kind, tag: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        switch kind {
        case .capability, .logout, .startTLS, .authenticate, .login, .idle, .id:
            return IMAPCommandOutcome(.bad("command handled by the connection"), sendsUpdates: false)
        case .noop:
            return IMAPCommandOutcome(.ok("NOOP completed"))
        case .check:
            return IMAPCommandOutcome(.ok("CHECK completed"))
        case .enable(let names):
            return try await enable(names, writer: writer)
        case .select(let name, let parameters):
            return try await select(name, parameters: parameters, readOnly: false, writer: writer)
        case .examine(let name, let parameters):
            return try await select(name, parameters: parameters, readOnly: true, writer: writer)
        case .create(let name, let specialUse):
            return try await create(name, specialUse: specialUse)
        case .delete(let name):
            return try await delete(name)
        case .rename(let from, let to):
            return try await rename(from, to: to)
        case .subscribe(let name):
            return try await subscribe(name, true)
        case .unsubscribe(let name):
            return try await subscribe(name, false)
        case .list(let listCommand):
            return try await list(listCommand, writer: writer)
        case .lsub(let reference, let pattern):
            return try await lsub(reference: reference, pattern: pattern, writer: writer)
        case .namespace:
            try await writer.write(.untagged(.namespace(personal: [IMAPNamespace(prefix: "", delimiter: "/")], otherUsers: nil, shared: nil)))
            return IMAPCommandOutcome(.ok("NAMESPACE completed"))
        case .status(let name, let attributes):
            return try await status(name, attributes: attributes, writer: writer)
        case .append(let name, let messages):
            return try await append(messages, to: name)
        case .getQuota(let root):
            return try await getQuota(root, writer: writer)
        case .getQuotaRoot(let name):
            return try await getQuotaRoot(name, writer: writer)
        case .setQuota:
            return IMAPCommandOutcome(IMAPStatusResponse(status: .no, code: .noPerm, text: "quotas are set by the host, not over IMAP"))
        case .close, .unselect, .expunge, .uidExpunge, .search, .fetch, .store, .copy, .move:
            guard let folder = selected else {
                return IMAPCommandOutcome(.bad("no mailbox selected"), sendsUpdates: false)
            }
            if folder.isDeleted, kind != .close, kind != .unselect {
                // A folder of the same name created later is another folder (new UIDVALIDITY):
                // never read or change it through this selection.
                return IMAPCommandOutcome(.no("the selected mailbox was deleted", code: .nonExistent), reportsExpunges: Self.isUIDCommand(kind))
            }
            return try await runSelected(kind, tag: tag, writer: writer)
        }
    }

    private func runSelected(_ kind: IMAPCommand.Kind, tag: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        switch kind {
        case .close:
            return try await closeSelected(expunging: true)
        case .unselect:
            return try await closeSelected(expunging: false)
        case .expunge:
            return try await expunge(nil, writer: writer)
        case .uidExpunge(let set):
            return try await expunge(set, writer: writer)
        case .search(let searchCommand, let uid):
            return try await search(searchCommand, uid: uid, tag: tag, writer: writer)
        case .fetch(let set, let attributes, let modifiers, let uid):
            return try await fetch(set, attributes: attributes, modifiers: modifiers, uid: uid, writer: writer)
        case .store(let set, let action, let unchangedSince, let uid):
            return try await store(set, action: action, unchangedSince: unchangedSince, uid: uid, writer: writer)
        case .copy(let set, let destination, let uid):
            return try await copy(set, to: destination, uid: uid, moving: false, writer: writer)
        case .move(let set, let destination, let uid):
            return try await copy(set, to: destination, uid: uid, moving: true, writer: writer)
        default:
            return IMAPCommandOutcome(.bad("command not valid here"), sendsUpdates: false)
        }
    }
}
