import CommunityMailSQL
import CommunityMailSQL
public import CommunityMailSystem

/// Why a sync could not run or a user could not be synced.
public struct MemberSyncError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidIdentity, staleMembersMap, runFailed, identityMismatch, storage
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }
    /// The error underneath: for ``runFailed``, what ended the last attempt (a
    /// `LaunchpadError`, an `AliasStoreError`, ...). Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// The signed-in identity lacks a usable nickname, e-mail or claimed identifier.
    public static let invalidIdentity = MemberSyncError(.invalidIdentity, "the member's identity is not usable")
    /// The members map is older than the one the user was last synced with.
    public static let staleMembersMap = MemberSyncError(
        .staleMembersMap, "the members map is older than the user's last sync; build a new one")
    /// The nickname belongs to a stored user of another person: the record holds another
    /// OpenID claimed identifier, or holds none while the ledger saw another Launchpad
    /// account (`date_created`) hold the name. A reused Launchpad name; nothing is changed
    /// and the admins are told.
    public static let identityMismatch = MemberSyncError(
        .identityMismatch, "the user name belongs to another person's record")
    /// A whole run failed after its retries; ``cause`` is what ended the last attempt.
    public static let runFailed = MemberSyncError(.runFailed, "the sync run failed")

    /// The notice log or the sync ledger failed (the database is locked, damaged or
    /// unreadable); ``cause`` says why.
    public static let storage = MemberSyncError(.storage, "the sync's own storage failed")

    /// `self` with a more specific message.
    public func with(message: String) -> MemberSyncError { MemberSyncError(code, message, cause: cause) }

    /// ``storage`` for `error`, raised while trying to `what`.
    static func storage(_ error: any Error, doing what: String) -> MemberSyncError {
        let detail = (error as? SQLiteError)?.message ?? (error is CancellationError ? "the request was cancelled" : "\(type(of: error))")
        return MemberSyncError(.storage, "cannot \(what): \(detail)", cause: error)
    }

    /// `self` with a more specific message and the error underneath.
    public func with(message: String, cause: (any Error)?) -> MemberSyncError { MemberSyncError(code, message, cause: cause) }

    /// True for a ``runFailed`` or ``storage`` whose cause is transient (Launchpad or the
    /// store still failing when the attempts ran out, a busy database: a later run may
    /// succeed). False for an unusable identity, a stale map and a reused name, which repeat
    /// until someone acts.
    public var isTransient: Bool {
        (code == .runFailed || code == .storage) && (cause?.isTransientFailure ?? false)
    }

    /// The message.
    public var description: String { "MemberSyncError: \(message)" }
}
