public import OpenIDAuth

extension MemberIdentity {
    /// The member an Ubuntu One sign-in vouched for: SREG nickname and e-mail, the claimed
    /// identifier and the full name, all from signed fields.
    public init(_ identity: UbuntuOneIdentity, locale: String = "en") {
        self.init(
            nickname: identity.nickname, email: identity.email, claimedID: identity.claimedIdentifier,
            fullName: identity.fullName, locale: locale)
    }
}
