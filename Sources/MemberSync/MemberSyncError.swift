/// Why a sync could not run or a user could not be synced.
public struct MemberSyncError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidIdentity, staleMembersMap, runFailed, identityMismatch
    }

    private let code: Code
    /// What went wrong, in words a person can act on.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

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
    /// A whole run failed after its retries (the transient cause is in the message).
    public static let runFailed = MemberSyncError(.runFailed, "the sync run failed")

    /// `self` with a more specific message.
    public func with(message: String) -> MemberSyncError { MemberSyncError(code, message) }

    /// Same kind, whatever the message.
    public static func == (lhs: MemberSyncError, rhs: MemberSyncError) -> Bool { lhs.code == rhs.code }
    /// Hashes the kind.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    /// The message.
    public var description: String { "MemberSyncError: \(message)" }
}
