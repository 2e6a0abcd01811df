/// A notification for people: a domain's admins, the member, or the alerts address.
public struct Notice: Sendable, Hashable {
    /// Why the notice is sent.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An address was created for a member (to the domain's admins).
        case aliasCreated = "alias-created"
        /// A member's address was removed or disabled (to the domain's admins).
        case aliasRemoved = "alias-removed"
        /// A member was refused because their account is not valid (to the admins).
        case memberRefused = "member-refused"
        /// The member is told why they were refused.
        case refusalToMember = "refusal-to-member"
        /// A sign-in used a user name whose record belongs to another person (to the admins
        /// and the alerts address).
        case identityConflict = "identity-conflict"
        /// Something failed that a person should look at (to the alerts address).
        case error = "error"
    }

    /// Why the notice is sent.
    public var kind: Kind
    /// Recipient addresses.
    public var recipients: [String]
    /// The subject line (Unicode; encoded on the wire as needed).
    public var subject: String
    /// The plain-text body.
    public var body: String
    /// Notices with the same key are sent once per de-duplication window; by default the
    /// kind, the recipients and the subject.
    public var deduplicationKey: String

    /// A notice.
    public init(kind: Kind, recipients: [String], subject: String, body: String, deduplicationKey: String? = nil) {
        self.kind = kind
        self.recipients = recipients
        self.subject = subject
        self.body = body
        self.deduplicationKey = deduplicationKey
            ?? "\(kind.rawValue)|\(recipients.map { $0.lowercased() }.sorted().joined(separator: ","))|\(subject)"
    }
}
