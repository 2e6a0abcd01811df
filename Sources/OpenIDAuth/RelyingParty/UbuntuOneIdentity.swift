/// A verified Ubuntu One user. Every value was signed by Ubuntu One.
public struct UbuntuOneIdentity: Sendable, Hashable, Codable {
    /// The claimed identifier, e.g. `https://login.ubuntu.com/+id/AbCdEfG`: the stable key
    /// for the account.
    public var claimedIdentifier: String
    /// The Launchpad username.
    public var nickname: String
    /// The (verified at Ubuntu One) e-mail address.
    public var email: String
    /// The full name, when the user shared it.
    public var fullName: String?
    /// The requested Launchpad teams Ubuntu One confirmed the user belongs to.
    public var teams: [String]

    /// An identity.
    public init(claimedIdentifier: String, nickname: String, email: String, fullName: String?, teams: [String]) {
        self.claimedIdentifier = claimedIdentifier
        self.nickname = nickname
        self.email = email
        self.fullName = fullName
        self.teams = teams
    }
}
