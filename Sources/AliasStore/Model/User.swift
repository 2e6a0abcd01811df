/// A person who can own aliases and administer domains.
public struct User: Sendable, Hashable, Codable {
    /// A stable identifier chosen by the host (for example the Launchpad user name).
    /// 1...128 printable characters.
    public var id: String
    /// The person's own address, where their aliases usually forward.
    public var email: String
    /// The person's locale as a BCP 47 tag (`en`, `pt-BR`); used for notifications.
    public var locale: String
    /// A banned user's aliases reject mail (550 5.7.1) until the ban is lifted.
    public var banned: Bool
    /// The OpenID claimed identifier of the person behind the record
    /// (`https://login.ubuntu.com/+id/…`): unlike a user name, it is never given to someone
    /// else, so it is what ties the record to one person. At most one user holds a given
    /// identifier. nil for users set up by hand, or stored before it was recorded.
    public var claimedIdentifier: String?

    /// A user from its parts.
    public init(id: String, email: String, locale: String = "en", banned: Bool = false, claimedIdentifier: String? = nil) {
        self.id = id
        self.email = email
        self.locale = locale
        self.banned = banned
        self.claimedIdentifier = claimedIdentifier
    }
}
