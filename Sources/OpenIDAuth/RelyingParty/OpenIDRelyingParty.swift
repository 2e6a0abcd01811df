public import CommunityMailSystem
public import Foundation
public import HTTPTransport

/// An OpenID Authentication 2.0 relying party that makes every check of section 11.
///
/// ```swift
/// let rp = OpenIDRelyingParty(
///     configuration: .init(realm: "https://mail.example/", returnTo: URL(string: "https://mail.example/openid/return")!),
///     httpClient: FoundationHTTPClient(), store: try SQLiteOpenIDStore(path: "openid.sqlite"))
/// let request = try await rp.begin(identifier: "https://login.ubuntu.com/")
/// // redirect the browser to request.redirectURL; later, on the return_to route:
/// let response = try await rp.complete(callbackURL: requestURL, postBody: body)
/// ```
public struct OpenIDRelyingParty: Sendable {
    /// How signatures are checked.
    public enum AssociationPolicy: Sendable, Hashable {
        /// No associations: every assertion is confirmed with the provider by
        /// `check_authentication` (one more round trip per sign-in).
        case stateless
        /// Associate with each provider, trying these kinds in order (with the provider's
        /// `unsupported-type` suggestion as a fallback); stateless when all fail.
        case associate([AssociationKind])
    }

    /// An association type with the session type that carries its key.
    public struct AssociationKind: Sendable, Hashable {
        /// The MAC algorithm.
        public var type: OpenIDAssociation.AssociationType
        /// How the key travels.
        public var session: OpenIDAssociation.SessionType

        /// A kind. The DH session's hash must match the MAC's (section 8.4.2).
        public init(type: OpenIDAssociation.AssociationType, session: OpenIDAssociation.SessionType) {
            self.type = type
            self.session = session
        }

        /// HMAC-SHA256 keyed through DH-SHA256.
        public static let dhSHA256 = AssociationKind(type: .hmacSHA256, session: .dhSHA256)
        /// HMAC-SHA1 keyed through DH-SHA1.
        public static let dhSHA1 = AssociationKind(type: .hmacSHA1, session: .dhSHA1)
        /// HMAC-SHA256 with the key in the clear (https endpoints only).
        public static let plainSHA256 = AssociationKind(type: .hmacSHA256, session: .noEncryption)
        /// HMAC-SHA1 with the key in the clear (https endpoints only).
        public static let plainSHA1 = AssociationKind(type: .hmacSHA1, session: .noEncryption)

        /// True when the session can carry this MAC's key.
        var isConsistent: Bool { session == .noEncryption || session.hash == type.hash }
    }

    /// What unsigned extension values do to an assertion.
    public enum UnsignedValuePolicy: Sendable, Hashable {
        /// Drop them (listed in ``VerifiedAssertion/droppedUnsignedFields``). Default.
        case drop
        /// Refuse the assertion with ``OpenIDError/unsignedExtensionValue``.
        case refuse
    }

    /// Which providers' extension values (SREG, AX, Launchpad teams) are reported. Any
    /// provider can sign any value it likes about its users, e-mail addresses and team
    /// memberships included, so trusting them is a choice the host makes per provider.
    public enum ExtensionTrust: Sendable, Hashable {
        /// No provider's SREG, AX or team values are reported. Default.
        case noProvider
        /// Values are reported only from an endpoint that these OP identifiers (such as
        /// `https://login.ubuntu.com/`) discover to (their OP identifier services).
        case opIdentifiers([URL])
        /// Values from every provider that passed the checks are reported: only for hosts that
        /// treat them as the provider's unverified claims.
        case anyProvider
    }

    /// Which providers' assertions the relying party verifies.
    public enum AllowedProviders: Sendable, Hashable {
        /// Every provider (any OpenID identity may sign in). Default.
        case anyProvider
        /// Only the endpoints that these OP identifiers (such as `https://login.ubuntu.com/`)
        /// discover to (their OP identifier services). The identifiers are the host's own
        /// configuration, so discovering them is no stranger's choice; the result is cached.
        case opIdentifiers([URL])
    }

    /// The relying party's settings.
    public struct Configuration: Sendable {
        /// The realm (trust root) shown to the user, e.g. `https://mail.example/` or
        /// `https://*.example.com/`. The return_to URL must fall under it.
        public var realm: String
        /// Where the provider sends the user back.
        public var returnTo: URL
        /// How signatures are checked. Default: associate with DH-SHA256, then DH-SHA1.
        public var associationPolicy: AssociationPolicy = .associate([.dhSHA256, .dhSHA1])
        /// How far a response nonce's time may be from ours, either way, in seconds; nonces are
        /// remembered this long. Default: 300.
        public var nonceSkew: TimeInterval = 300
        /// What unsigned extension values do. Default: ``UnsignedValuePolicy/drop``.
        public var unsignedValuePolicy: UnsignedValuePolicy = .drop
        /// The deadline of direct requests (associate, check_authentication). Default: 15 s.
        public var requestTimeout: Duration = .seconds(15)
        /// An association is reused only while it has at least this long to live, in seconds.
        /// Default: 120.
        public var associationRenewalMargin: TimeInterval = 120
        /// Discovery limits and cache lifetime.
        public var discovery: OpenIDDiscovery.Configuration = .init()
        /// Which URLs discovery, `associate` and `check_authentication` may fetch, and how
        /// many per `begin` or `complete`. Default: public https addresses only, 8 requests.
        public var urlPolicy: OpenIDURLPolicy = .init()
        /// How often `begin` and `complete` drop expired associations, discovery results and
        /// nonces from the stores, in seconds. Default: 300.
        public var purgeInterval: TimeInterval = 300
        /// Whose SREG, AX and team values are reported. Default: ``ExtensionTrust/noProvider``
        /// (the assertion is verified, its extension values are not reported).
        public var extensionTrust: ExtensionTrust = .noProvider
        /// Whose assertions are verified at all. Default: ``AllowedProviders/anyProvider``.
        /// An assertion whose openid.op_endpoint is not allowed is refused with
        /// ``OpenIDError/unexpectedProvider`` before anything the assertion names is looked
        /// up, fetched or recorded (no re-discovery of its claimed identifier, no
        /// check_authentication, no nonce spent). ``UbuntuOne`` allows its provider only.
        public var allowedProviders: AllowedProviders = .anyProvider
        /// Receives one line per notable event (association made or failed, stateless
        /// fallback, assertion accepted or refused and why). Lines hold endpoints, handles'
        /// absence, claimed identifiers and error kinds, never keys, signatures or nonces.
        /// Default: nil (silent).
        public var logger: (@Sendable (String) -> Void)?

        /// A configuration with the defaults.
        public init(realm: String, returnTo: URL) {
            self.realm = realm
            self.returnTo = returnTo
        }
    }

    /// The settings.
    public let configuration: Configuration

    func log(_ line: @autoclosure () -> String) { configuration.logger?("openid: " + line()) }

    let httpClient: any HTTPClient
    let nonces: any NonceStore
    let associations: any AssociationStore
    let discovery: OpenIDDiscovery
    let discoveryCache: any DiscoveryCache
    let clock: any ServiceClock
    let purgeSchedule = PurgeSchedule()
    /// ``Configuration/returnTo`` parsed once: every answer's return_to is compared with it.
    let configuredReturnTo: URLComponents?
    /// The OP identifiers of ``Configuration/allowedProviders`` and
    /// ``Configuration/extensionTrust``, normalized once (those that normalize; the others
    /// fail where they are used).
    let normalizedOPIdentifiers: [URL: String]

    /// A relying party.
    /// - Parameters:
    ///   - configuration: realm, return_to and policies.
    ///   - httpClient: every HTTP exchange goes through it.
    ///   - nonceStore: remembers accepted nonces.
    ///   - associationStore: keeps associations.
    ///   - discoveryCache: keeps discovery results.
    ///   - clock: the time for nonces and associations.
    public init(
        configuration: Configuration, httpClient: any HTTPClient, nonceStore: any NonceStore,
        associationStore: any AssociationStore, discoveryCache: any DiscoveryCache, clock: any ServiceClock = SystemClock()
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.nonces = nonceStore
        self.associations = associationStore
        self.discoveryCache = discoveryCache
        self.clock = clock
        self.configuredReturnTo = URLComponents(url: configuration.returnTo, resolvingAgainstBaseURL: true)
        var opIdentifiers: [URL] = []
        if case .opIdentifiers(let identifiers) = configuration.allowedProviders { opIdentifiers += identifiers }
        if case .opIdentifiers(let identifiers) = configuration.extensionTrust { opIdentifiers += identifiers }
        self.normalizedOPIdentifiers = opIdentifiers.reduce(into: [:]) { normalized, identifier in
            normalized[identifier] = try? OpenIDIdentifier.normalize(identifier.absoluteString)
        }
        self.discovery = OpenIDDiscovery(
            httpClient: httpClient, cache: discoveryCache, clock: clock, configuration: configuration.discovery,
            urlPolicy: configuration.urlPolicy)
    }

    /// A relying party whose three stores are one SQLite (or other) store.
    public init<Store: NonceStore & AssociationStore & DiscoveryCache>(
        configuration: Configuration, httpClient: any HTTPClient, store: Store, clock: any ServiceClock = SystemClock()
    ) {
        self.init(configuration: configuration, httpClient: httpClient, nonceStore: store, associationStore: store,
                  discoveryCache: store, clock: clock)
    }

    /// Discovers `identifier` (an OP identifier such as `https://login.ubuntu.com/` or a
    /// user's claimed identifier; without a scheme, `https://` is assumed unless the URL policy
    /// allows plain http), associates with its provider when the policy says so,
    /// and builds the authentication request.
    /// - Throws: ``OpenIDError`` from discovery (``OpenIDError/refusedURL`` when the URL
    ///   policy refuses the identifier), or ``OpenIDError/realmMismatch``.
    public func begin(identifier: String, options: OpenIDAuthenticationOptions = .init()) async throws(OpenIDError)
        -> OpenIDAuthenticationRequest
    {
        guard OpenIDRealm.matches(realm: configuration.realm, returnTo: configuration.returnTo.absoluteString) else {
            throw OpenIDError.realmMismatch
        }
        await purgeExpiredStateIfDue()
        let budget = OutboundFetchBudget(configuration.urlPolicy.maximumFetches)
        let discovered = try await discovery.discover(normalized: discovery.normalize(typed: identifier), budget: budget)
        guard let service = discovered.services.first, let endpoint = URL(string: service.endpoint) else {
            throw OpenIDError.noOpenIDService
        }
        // An endpoint we would refuse to talk to is refused now, not after the user signed in.
        try await configuration.urlPolicy.check(endpoint)
        var message = OpenIDMessage([("ns", OpenIDMessage.namespace), ("mode", options.immediate ? "checkid_immediate" : "checkid_setup")])
        if service.isOPIdentifier {
            message["claimed_id"] = OpenIDMessage.identifierSelect
            message["identity"] = OpenIDMessage.identifierSelect
        } else {
            message["claimed_id"] = service.claimedIdentifier ?? discovered.identifier
            message["identity"] = service.requestedIdentity
        }
        if let association = await association(for: service.endpoint, budget: budget) { message["assoc_handle"] = association.handle }
        message["return_to"] = configuration.returnTo.absoluteString
        message["realm"] = configuration.realm
        for (key, value) in options.extensionFields() { message[key] = value }
        return OpenIDAuthenticationRequest(endpoint: endpoint, message: message, service: service)
    }
}
