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

    /// A user from its parts.
    public init(id: String, email: String, locale: String = "en", banned: Bool = false) {
        self.id = id
        self.email = email
        self.locale = locale
        self.banned = banned
    }
}
