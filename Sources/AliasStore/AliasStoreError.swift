import CommunityMailSQL
public import CommunityMailSystem

/// Why an alias store refused a request or could not carry it out.
///
/// Errors of the same kind compare equal whatever their messages, so tests and callers can
/// write `catch let error as AliasStoreError where error == .reservedName`. Messages name
/// the field at fault; they never contain verification tokens. A ``storage`` error keeps the
/// failure underneath as its ``cause`` (the database's error, with SQLite's result code), and
/// ``isTransient`` says whether trying again later may succeed (a busy database) or not (a
/// damaged file).
public struct AliasStoreError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidLocalPart, invalidDomain, invalidAddress, invalidRecipient, tooManyRecipients
        case selfForwarding, reservedName, notPermitted, aliasLimitReached, invalidPattern, patternTooLong
        case invalidField, duplicateAlias, duplicateDomain, userNotFound, domainNotFound, aliasNotFound
        case memberNotFound, conflict, domainInUse, userInUse, immutableField, storeNotEmpty
        case invalidSnapshot, storage
        case duplicateClaimedIdentifier, claimedIdentifierBound, patternLimitReached
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What is wrong, in words a person can act on.
    public var message: String { parts.message }
    /// The storage's own error for ``storage`` (an `SQLiteError`), when one was kept. Not
    /// part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// A local part breaks RFC 5321/5322: empty, longer than 64 bytes, a character outside
    /// the dot-atom set, or a leading, trailing or doubled dot.
    public static let invalidLocalPart = AliasStoreError(.invalidLocalPart, "the local part is not valid")
    /// A domain name is not a valid host name (or not a valid IDNA name).
    public static let invalidDomain = AliasStoreError(.invalidDomain, "the domain name is not valid")
    /// An address is not of the form local-part@domain.
    public static let invalidAddress = AliasStoreError(.invalidAddress, "the address is not valid")
    /// A recipient is not a valid address.
    public static let invalidRecipient = AliasStoreError(.invalidRecipient, "a recipient is not a valid address")
    /// An alias has no recipients, or more than the policy allows.
    public static let tooManyRecipients = AliasStoreError(.tooManyRecipients, "the alias has too many (or no) recipients")
    /// An alias lists itself among its recipients.
    public static let selfForwarding = AliasStoreError(.selfForwarding, "the alias forwards to itself")
    /// The name is reserved for the domain's admins.
    public static let reservedName = AliasStoreError(.reservedName, "the name is reserved for the domain's admins")
    /// The actor may not make this change (for example a catch-all by a non-admin).
    public static let notPermitted = AliasStoreError(.notPermitted, "the actor may not make this change")
    /// The owner already has as many aliases as the policy allows.
    public static let aliasLimitReached = AliasStoreError(.aliasLimitReached, "the owner has reached the alias limit")
    /// The domain already has ``AliasPolicy/maxPatternsPerDomain`` pattern aliases.
    public static let patternLimitReached = AliasStoreError(.patternLimitReached, "the domain has reached the pattern limit")
    /// A regular-expression alias does not parse in the supported subset.
    public static let invalidPattern = AliasStoreError(.invalidPattern, "the pattern is not valid")
    /// A regular-expression alias is longer than the policy allows.
    public static let patternTooLong = AliasStoreError(.patternTooLong, "the pattern is too long")
    /// A free-text field (locale, description, label, token, user id) is not acceptable.
    public static let invalidField = AliasStoreError(.invalidField, "a field is not valid")
    /// An alias with this name already exists on the domain.
    public static let duplicateAlias = AliasStoreError(.duplicateAlias, "the alias already exists")
    /// The domain already exists.
    public static let duplicateDomain = AliasStoreError(.duplicateDomain, "the domain already exists")
    /// No user has this id.
    public static let userNotFound = AliasStoreError(.userNotFound, "no such user")
    /// The store does not serve this domain.
    public static let domainNotFound = AliasStoreError(.domainNotFound, "no such domain")
    /// No alias has this id or address.
    public static let aliasNotFound = AliasStoreError(.aliasNotFound, "no such alias")
    /// The user is not a member of the domain.
    public static let memberNotFound = AliasStoreError(.memberNotFound, "no such member")
    /// The alias changed since it was read (its revision moved on); read it again and retry.
    public static let conflict = AliasStoreError(.conflict, "the alias was changed by someone else")
    /// The domain still has aliases.
    public static let domainInUse = AliasStoreError(.domainInUse, "the domain still has aliases")
    /// The user still owns aliases or is a domain member.
    public static let userInUse = AliasStoreError(.userInUse, "the user still owns aliases or belongs to a domain")
    /// Another user already holds the OpenID claimed identifier: one person, one user record.
    public static let duplicateClaimedIdentifier = AliasStoreError(
        .duplicateClaimedIdentifier, "another user holds the claimed identifier")
    /// The user already holds another claimed identifier: ``AliasStore/saveUser(_:by:)``
    /// never changes one (``AliasStore/rebindUser(id:claimedIdentifier:by:)`` does, logged).
    public static let claimedIdentifierBound = AliasStoreError(
        .claimedIdentifierBound, "the user belongs to another claimed identifier")
    /// An update tried to change an alias's name or domain (its identity).
    public static let immutableField = AliasStoreError(.immutableField, "an alias's name and domain cannot change")
    /// An import needs an empty store.
    public static let storeNotEmpty = AliasStoreError(.storeNotEmpty, "the store is not empty")
    /// An import's data is inconsistent or not valid JSON.
    public static let invalidSnapshot = AliasStoreError(.invalidSnapshot, "the snapshot is not valid")
    /// The storage underneath failed (the database is locked, damaged or unreadable).
    public static let storage = AliasStoreError(.storage, "the alias storage failed")

    /// `self` with a more specific message.
    public func with(message: String) -> AliasStoreError { AliasStoreError(code, message, cause: cause) }

    /// `error` as this module's error: an ``AliasStoreError`` unchanged; anything else as
    /// `self` (``storage``) with `error` as its cause and `context` before its text.
    func caused(by error: any Error, context: String) -> AliasStoreError {
        if let error = error as? AliasStoreError { return error }
        if error is CancellationError { return AliasStoreError(code, "\(context): the request was cancelled") }
        let detail = (error as? SQLiteError)?.message ?? "\(type(of: error))"
        return AliasStoreError(code, "\(context): \(detail)", cause: error)
    }

    /// `self` with a more specific message and the storage's own error.
    public func with(message: String, cause: (any Error)?) -> AliasStoreError { AliasStoreError(code, message, cause: cause) }

    /// True for a ``storage`` failure that may pass: whatever its cause says (a busy
    /// database yes, a damaged one no), and true when no cause was kept (a store that
    /// failed without saying why is worth one more try). False for every refusal of the
    /// request itself: invalid input, conflicts, limits, missing objects.
    public var isTransient: Bool {
        guard code == .storage else { return false }
        return cause.map(\.isTransientFailure) ?? true
    }

    /// The message.
    public var description: String { "AliasStoreError: \(message)" }
}
