import AliasStore
import Foundation

/// The signed-in member as the single sign-on vouched for them: the Launchpad user name
/// (OpenID SREG `nickname`), their own e-mail, and the claimed identifier.
public struct MemberIdentity: Sendable, Hashable {
    /// The Launchpad user name, e.g. `ana`.
    public var nickname: String
    /// The member's own address, where their aliases forward.
    public var email: String
    /// The OpenID claimed identifier (`https://login.ubuntu.com/+id/…`): from the sign-in,
    /// or the stored user's when a re-sync rebuilds the identity. It ties the user record to
    /// one person (see ``MemberSyncError/identityMismatch``). A sign-in
    /// (``MemberSyncService/sync(_:with:)``) without one is refused with
    /// ``MemberSyncError/invalidIdentity``; nil only when a re-sync rebuilds a user stored
    /// without one.
    public var claimedID: String?
    /// The member's full name, for notices.
    public var fullName: String?
    /// The member's locale (BCP 47), for the stored user. Default: `en`.
    public var locale: String

    /// An identity from its parts.
    public init(nickname: String, email: String, claimedID: String? = nil, fullName: String? = nil, locale: String = "en") {
        self.nickname = nickname
        self.email = email
        self.claimedID = claimedID
        self.fullName = fullName
        self.locale = locale
    }

    /// The user id and alias local part: the nickname, lowercased.
    public var userID: String { nickname.lowercased() }

    /// Checks the fields a sync relies on.
    /// - Throws: ``MemberSyncError/invalidIdentity`` naming the field.
    public func validate() throws {
        let name = nickname.lowercased()
        // Launchpad names: lowercase letters, digits, `+`, `-`, `.`; start with a letter or
        // digit; at most 32 characters here (a local part must also fit 64).
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789+-.")
        guard let first = name.first, first.isLetter || first.isNumber, name.count <= 32,
              name.allSatisfy({ allowed.contains($0) })
        else {
            throw MemberSyncError.invalidIdentity.with(message: "the nickname \"\(nickname)\" is not a Launchpad user name")
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || "<>\"(),;:".contains($0) }), email.utf8.count <= 254
        else {
            throw MemberSyncError.invalidIdentity.with(message: "the e-mail address of \(nickname) is not valid")
        }
        // The store's own rule: an identifier the store accepts always passes here, so a
        // stored user's re-sync is never stopped by it.
        if let claimedID, !User.isValidClaimedIdentifier(claimedID) {
            throw MemberSyncError.invalidIdentity.with(message: "the claimed identifier of \(nickname) is not an http(s) URL")
        }
    }
}
