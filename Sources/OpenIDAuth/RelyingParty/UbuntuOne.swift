public import CommunityMailSystem
public import Foundation
public import HTTPTransport

/// Sign-in with Ubuntu One (login.ubuntu.com): the OP identifier, the SREG fields and the
/// Launchpad team query that Ubuntu's services use, over ``OpenIDRelyingParty``.
///
/// Besides the section 11 checks, it verifies assertions from the configured provider's
/// endpoint only (``OpenIDRelyingParty/AllowedProviders/opIdentifiers(_:)``, checked before any
/// fetch, so an identity from any other OpenID provider cannot sign in and costs nothing),
/// trusts extension values (SREG, teams) from that provider only, requires the
/// nickname and e-mail to be signed, and refuses assertions carrying unsigned values.
public struct UbuntuOne: Sendable {
    /// The production provider, `https://login.ubuntu.com/`.
    public static let production = URL(string: "https://login.ubuntu.com/")!
    /// The staging provider, `https://login.staging.ubuntu.com/`.
    public static let staging = URL(string: "https://login.staging.ubuntu.com/")!

    /// The preset's settings.
    public struct Configuration: Sendable {
        /// The OP identifier. Default: ``UbuntuOne/production``.
        public var provider: URL = UbuntuOne.production
        /// The realm shown to the user.
        public var realm: String
        /// Where Ubuntu One sends the user back.
        public var returnTo: URL
        /// Launchpad teams to ask about; the identity lists those the user is confirmed in.
        /// Default: none.
        public var teams: [String] = []
        /// Associate (default) or verify each sign-in with check_authentication.
        public var associationPolicy: OpenIDRelyingParty.AssociationPolicy = .associate([.dhSHA256, .dhSHA1])
        /// PAPE `max_auth_age` in seconds, if the host wants a recent password entry. Default: nil.
        public var maximumAuthenticationAge: Int?
        /// Which URLs may be fetched. Default: public https addresses only (see
        /// ``OpenIDURLPolicy``); a provider on loopback needs ``OpenIDURLPolicy/privateNetwork(resolver:)``.
        public var urlPolicy: OpenIDURLPolicy = .init()

        /// Settings for `realm` and `returnTo`, with the defaults above.
        public init(realm: String, returnTo: URL) {
            self.realm = realm
            self.returnTo = returnTo
        }
    }

    /// What a completed sign-in produced.
    public enum Outcome: Sendable, Hashable {
        /// The user signed in.
        case signedIn(UbuntuOneIdentity)
        /// The user declined at Ubuntu One.
        case cancelled
        /// An immediate request needs the user; start a normal one.
        case setupNeeded
        /// Ubuntu One reported an error (its text, untrusted).
        case providerError(String)
    }

    /// The settings.
    public let configuration: Configuration
    /// The underlying relying party.
    public let relyingParty: OpenIDRelyingParty

    /// A preset over the given HTTP client and stores.
    public init(
        configuration: Configuration, httpClient: any HTTPClient, nonceStore: any NonceStore,
        associationStore: any AssociationStore, discoveryCache: any DiscoveryCache, clock: any ServiceClock = SystemClock()
    ) {
        self.configuration = configuration
        var settings = OpenIDRelyingParty.Configuration(realm: configuration.realm, returnTo: configuration.returnTo)
        settings.associationPolicy = configuration.associationPolicy
        settings.unsignedValuePolicy = .refuse
        settings.urlPolicy = configuration.urlPolicy
        // Assertions, and SREG and teams, are taken from the configured provider only; the
        // provider check runs before anything the assertion names is fetched.
        settings.allowedProviders = .opIdentifiers([configuration.provider])
        settings.extensionTrust = .opIdentifiers([configuration.provider])
        relyingParty = OpenIDRelyingParty(
            configuration: settings, httpClient: httpClient, nonceStore: nonceStore, associationStore: associationStore,
            discoveryCache: discoveryCache, clock: clock)
    }

    /// A preset whose three stores are one store (e.g. ``SQLiteOpenIDStore``).
    public init<Store: NonceStore & AssociationStore & DiscoveryCache>(
        configuration: Configuration, httpClient: any HTTPClient, store: Store, clock: any ServiceClock = SystemClock()
    ) {
        self.init(configuration: configuration, httpClient: httpClient, nonceStore: store, associationStore: store,
                  discoveryCache: store, clock: clock)
    }

    /// The request to send the browser to: identifier_select at Ubuntu One, SREG nickname and
    /// e-mail required, full name optional, and the configured teams.
    /// - Throws: ``OpenIDError`` from discovery.
    public func begin(immediate: Bool = false) async throws(OpenIDError) -> OpenIDAuthenticationRequest {
        try await relyingParty.begin(identifier: configuration.provider.absoluteString, options: options(immediate: immediate))
    }

    /// The options ``begin(immediate:)`` uses.
    public func options(immediate: Bool = false) -> OpenIDAuthenticationOptions {
        OpenIDAuthenticationOptions(
            immediate: immediate, simpleRegistration: .init(required: [.nickname, .email], optional: [.fullname]),
            teams: configuration.teams, maximumAuthenticationAge: configuration.maximumAuthenticationAge)
    }

    /// Verifies Ubuntu One's answer (see ``OpenIDRelyingParty/complete(callbackURL:postBody:)``).
    /// - Throws: ``OpenIDError``; also ``OpenIDError/unexpectedProvider`` when another provider
    ///   made the assertion and ``OpenIDError/missingRequiredAttribute`` when the nickname or
    ///   e-mail is missing.
    public func complete(callbackURL: URL, postBody: String? = nil) async throws(OpenIDError) -> Outcome {
        switch try await relyingParty.complete(callbackURL: callbackURL, postBody: postBody) {
        case .cancelled: return .cancelled
        case .setupNeeded: return .setupNeeded
        case .providerError(let text): return .providerError(text)
        case .authenticated(let assertion):
            // The relying party refused any other provider (`allowedProviders`) before it
            // fetched anything, so an authenticated assertion comes from the configured one.
            guard let nickname = assertion.simpleRegistration["nickname"], !nickname.isEmpty,
                  let email = assertion.simpleRegistration["email"], !email.isEmpty
            else { throw OpenIDError.missingRequiredAttribute.with(message: "Ubuntu One did not return a signed nickname and e-mail") }
            let requested = Set(configuration.teams)
            return .signedIn(UbuntuOneIdentity(
                claimedIdentifier: assertion.claimedIdentifier, nickname: nickname, email: email,
                fullName: assertion.simpleRegistration["fullname"], teams: assertion.teams.filter(requested.contains)))
        }
    }
}
