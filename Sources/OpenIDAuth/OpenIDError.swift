public import CommunityMailSystem

/// An error from OpenIDAuth: discovery, association, or a refused assertion.
///
/// Compare with the static values (`error == .replayedNonce`); equality looks only at the
/// kind, not the message. Messages never contain secrets, signatures or MAC keys.
/// ``isTransient`` says whether the same step may succeed later; ``cause`` keeps the error
/// underneath (the HTTP client's, a store's) and ``status`` a provider's HTTP status.
public struct OpenIDError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case invalidIdentifier
        case unsupportedIdentifier
        case discoveryFailed
        case noOpenIDService
        case unsafeDocument
        case documentTooLarge
        case associationFailed
        case invalidMessage
        case missingField
        case unexpectedMode
        case realmMismatch
        case returnToMismatch
        case discoveryMismatch
        case claimedIdentifierIsOPIdentifier
        case invalidNonce
        case nonceOutsideWindow
        case replayedNonce
        case unsignedRequiredField
        case invalidSignature
        case assertionNotConfirmed
        case providerError
        case unexpectedProvider
        case missingRequiredAttribute
        case unsignedExtensionValue
        case transport
        case store
        case refusedURL
        case tooManyFetches
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }
    /// The error underneath: what the HTTP client threw for ``transport`` and
    /// ``discoveryFailed``, what a store threw for ``store``. Not part of equality.
    public var cause: (any Error)? { parts.cause }
    /// The HTTP status a provider or document server answered with, when that was the
    /// failure (``discoveryFailed``, ``providerError``).
    public let status: Int?
    /// Set where the code knows better than the cause (a full nonce store drains by itself).
    private let knownTransient: Bool?

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil, status: Int? = nil, knownTransient: Bool? = nil) {
        parts = ErrorParts(code, message, cause: cause)
        self.status = status
        self.knownTransient = knownTransient
    }

    /// A short machine-readable name of the kind, e.g. `replayedNonce`.
    public var kind: String { code.rawValue }

    /// The identifier typed by the user is not a URL OpenID can discover.
    public static let invalidIdentifier = OpenIDError(.invalidIdentifier, "the identifier is not a valid OpenID URL")
    /// The identifier is an XRI or another form this relying party does not support.
    public static let unsupportedIdentifier = OpenIDError(.unsupportedIdentifier, "XRI identifiers are not supported")
    /// Fetching the identifier's document failed (status, redirects, transport).
    public static let discoveryFailed = OpenIDError(.discoveryFailed, "discovery of the identifier failed")
    /// The identifier's documents name no OpenID 2.0 provider.
    public static let noOpenIDService = OpenIDError(.noOpenIDService, "no OpenID 2.0 service was found for the identifier")
    /// An XRDS document declared a DTD or entities, or was not well-formed XML.
    public static let unsafeDocument = OpenIDError(.unsafeDocument, "the discovery document is not safe, well-formed XML")
    /// A fetched document was larger than the configured limit.
    public static let documentTooLarge = OpenIDError(.documentTooLarge, "the fetched document is larger than allowed")
    /// The provider refused or botched the association exchange.
    public static let associationFailed = OpenIDError(.associationFailed, "the association with the provider failed")
    /// A message was malformed: duplicate keys, bad encoding, a bad namespace.
    public static let invalidMessage = OpenIDError(.invalidMessage, "the OpenID message is malformed")
    /// A field the protocol requires is missing.
    public static let missingField = OpenIDError(.missingField, "a required OpenID field is missing")
    /// The message's `openid.mode` is not one this step accepts.
    public static let unexpectedMode = OpenIDError(.unexpectedMode, "unexpected openid.mode")
    /// The return_to URL is not covered by the realm (section 9.2).
    public static let realmMismatch = OpenIDError(.realmMismatch, "the return_to URL does not match the realm")
    /// `openid.return_to` is not the URL the response arrived at (section 11.1).
    public static let returnToMismatch = OpenIDError(
        .returnToMismatch, "openid.return_to does not match the URL the response arrived at")
    /// Re-discovering the claimed identifier did not yield the asserting endpoint and identity
    /// (section 11.2): the provider is not authoritative for that claimed identifier.
    public static let discoveryMismatch = OpenIDError(
        .discoveryMismatch, "the provider is not authoritative for the asserted claimed identifier")
    /// The asserted claimed identifier is an OP identifier, which cannot be a user's identity.
    public static let claimedIdentifierIsOPIdentifier = OpenIDError(
        .claimedIdentifierIsOPIdentifier, "the asserted claimed identifier is an OP identifier")
    /// `openid.response_nonce` is not in the section 10.1 format.
    public static let invalidNonce = OpenIDError(.invalidNonce, "openid.response_nonce is malformed")
    /// The nonce's time is outside the allowed clock-skew window.
    public static let nonceOutsideWindow = OpenIDError(
        .nonceOutsideWindow, "openid.response_nonce is outside the allowed time window")
    /// The nonce was already accepted from this provider: a replayed assertion.
    public static let replayedNonce = OpenIDError(.replayedNonce, "the assertion was already used (replayed nonce)")
    /// A field that section 10.1 requires to be signed is not in `openid.signed`.
    public static let unsignedRequiredField = OpenIDError(
        .unsignedRequiredField, "a field that must be signed is not in openid.signed")
    /// The signature does not match the signed fields.
    public static let invalidSignature = OpenIDError(.invalidSignature, "the assertion's signature is invalid")
    /// The provider did not confirm the assertion through check_authentication.
    public static let assertionNotConfirmed = OpenIDError(
        .assertionNotConfirmed, "the provider did not confirm the assertion")
    /// The provider answered a direct request with an error.
    public static let providerError = OpenIDError(.providerError, "the provider answered with an error")
    /// The assertion came from a provider other than the one this preset trusts.
    public static let unexpectedProvider = OpenIDError(
        .unexpectedProvider, "the assertion came from a provider this relying party does not trust")
    /// A required attribute (e.g. nickname or e-mail) was not returned signed.
    public static let missingRequiredAttribute = OpenIDError(
        .missingRequiredAttribute, "the provider did not return a required attribute")
    /// An extension value (SREG, AX, teams, PAPE) arrived unsigned and the policy refuses
    /// such assertions instead of dropping the value.
    public static let unsignedExtensionValue = OpenIDError(
        .unsignedExtensionValue, "the assertion carries an extension value that is not signed")
    /// The HTTP exchange failed.
    public static let transport = OpenIDError(.transport, "the HTTP exchange with the provider failed")
    /// A nonce, association or discovery store failed.
    public static let store = OpenIDError(.store, "the OpenID store failed")

    /// The URL policy refused to fetch a URL (scheme, address, or a redirect to a weaker
    /// scheme); see ``OpenIDURLPolicy``.
    public static let refusedURL = OpenIDError(.refusedURL, "the URL policy refuses to fetch this URL")
    /// One `begin` or `complete` needed more requests than ``OpenIDURLPolicy/maximumFetches``.
    public static let tooManyFetches = OpenIDError(.tooManyFetches, "too many requests for one sign-in step")

    /// `self` with a more specific message; equality still compares only the kind.
    public func with(message: String) -> OpenIDError {
        OpenIDError(code, message, cause: cause, status: status, knownTransient: knownTransient)
    }

    /// `self` with a more specific message and the error underneath.
    public func with(message: String, cause: (any Error)?) -> OpenIDError {
        OpenIDError(code, message, cause: cause, status: status, knownTransient: knownTransient)
    }

    /// `self` with `cause` as the failure underneath.
    func with(cause: any Error) -> OpenIDError {
        OpenIDError(code, message, cause: cause, status: status, knownTransient: knownTransient)
    }

    /// `self` with a more specific message and the HTTP status that was the failure.
    public func with(message: String, status: Int) -> OpenIDError {
        OpenIDError(code, message, cause: cause, status: status, knownTransient: knownTransient)
    }

    /// `self` with a more specific message, marked transient or not whatever its cause.
    func with(message: String, transient: Bool) -> OpenIDError {
        OpenIDError(code, message, cause: cause, status: status, knownTransient: transient)
    }

    /// True when the same step may succeed later: a transport or fetch failure whose cause
    /// is transient (timeout, refused or lost connection), a 408, 429 or 5xx from a
    /// provider or document server, a store failure whose cause is transient (a busy
    /// database) or a full nonce store. False for every refusal of an assertion (bad
    /// signature, replayed nonce, mismatches), malformed input and policy refusals.
    public var isTransient: Bool {
        if let knownTransient { return knownTransient }
        switch code {
        case .transport, .discoveryFailed, .providerError, .associationFailed, .store:
            if let status, status >= 500 || status == 429 || status == 408 { return true }
            return cause?.isTransientFailure ?? false
        default:
            return false
        }
    }

    /// Same kind, whatever the message, cause and other details.
    public static func == (lhs: OpenIDError, rhs: OpenIDError) -> Bool { lhs.parts == rhs.parts }
    /// Hashes the kind only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }

    /// `OpenIDError(kind): message`.
    public var description: String { "OpenIDError(\(code.rawValue)): \(message)" }
}
