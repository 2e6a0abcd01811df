import CommunityMailCrypto
import CommunityMailSystem
public import Foundation
import HTTPTransport

extension OpenIDRelyingParty {
    /// Verifies the provider's answer that arrived at the return_to route.
    ///
    /// - Parameters:
    ///   - callbackURL: the full URL the browser requested, as the user agent saw it (scheme,
    ///     host, port, path and query); for a GET answer its query holds the message.
    ///   - postBody: the `application/x-www-form-urlencoded` body when the provider answered
    ///     by form POST; nil for a GET.
    /// - Returns: the typed answer; `.authenticated` only after every section 11 check.
    /// - Throws: ``OpenIDError`` naming the check that failed.
    public func complete(callbackURL: URL, postBody: String? = nil) async throws(OpenIDError) -> OpenIDResponse {
        // The callback's query is decoded once: it is the message for a GET, and the
        // return_to check needs its parameters either way.
        let callbackQuery = FormURLEncoding.decode(
            URLComponents(url: callbackURL, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? "")
        let message = try OpenIDMessage(decodedFields: postBody.map(FormURLEncoding.decode) ?? callbackQuery)
        guard message["ns"] == OpenIDMessage.namespace else {
            throw OpenIDError.invalidMessage.with(message: "only OpenID 2.0 responses are accepted")
        }
        switch message["mode"] {
        case "id_res":
            await purgeExpiredStateIfDue()
            do {
                let assertion = try await verify(message, callbackURL: callbackURL, callbackQuery: callbackQuery)
                log("assertion accepted for \(URL(string: assertion.claimedIdentifier)?.redactedForLogs ?? "a claimed identifier") from \(URL(string: assertion.providerEndpoint)?.redactedForLogs ?? "the provider")")
                return .authenticated(assertion)
            } catch {
                log("assertion refused (\(error.kind)): \(error.message)")
                throw error
            }
        case "cancel": return .cancelled
        case "setup_needed": return .setupNeeded
        case "error": return .providerError(message["error"] ?? "")
        default: throw OpenIDError.unexpectedMode.with(message: "openid.mode is not a response mode")
        }
    }

    /// The section 11 checks; each failure is its own typed error.
    ///
    /// The order decides what an unauthenticated callback can make us do. Everything that
    /// needs no network comes first (return_to, the signed list, the nonce's form and time,
    /// the allowed provider endpoints). With a stored association for op_endpoint and the
    /// handle, the signature is checked next, locally, so a forged callback costs no request
    /// and no host name lookup; only a correctly signed assertion leads to re-discovery of
    /// its claimed identifier. Without one, when ``Configuration/allowedProviders`` names the
    /// providers, the (allowed) endpoint is asked first by check_authentication, so an
    /// unsigned callback causes no lookup of what it names; otherwise the claimed identifier
    /// is re-discovered first (each fetch under the URL policy and the fetch budget) and
    /// check_authentication goes only to the endpoint that discovery confirmed, so a hostile
    /// provider is never asked to vouch for itself. The nonce is recorded last, so a forgery cannot burn a genuine
    /// assertion's nonce.
    func verify(_ message: OpenIDMessage, callbackURL: URL, callbackQuery: [(String, String)]) async throws(OpenIDError)
        -> VerifiedAssertion
    {
        // 11.1: the assertion was made for our return_to, and for the URL it arrived at.
        let returnTo = try message.required("return_to")
        try checkReturnTo(returnTo, callbackURL: callbackURL, callbackQuery: callbackQuery)

        // 10.1: the fields that must be there and must be signed.
        let opEndpoint = try message.required("op_endpoint")
        let nonce = try message.required("response_nonce")
        let handle = try message.required("assoc_handle")
        _ = try message.required("sig")
        let signedList = try message.required("signed").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard Set(signedList).count == signedList.count, !signedList.contains("") else {
            throw OpenIDError.invalidMessage.with(message: "openid.signed is malformed")
        }
        let claimedID = message["claimed_id"]
        let identity = message["identity"]
        guard let claimedID, let identity else {
            throw OpenIDError.missingField.with(message: "the assertion names no identity (claimed_id and identity)")
        }
        for field in ["op_endpoint", "return_to", "response_nonce", "assoc_handle", "claimed_id", "identity"]
        where !signedList.contains(field) {
            throw OpenIDError.unsignedRequiredField.with(message: "openid.\(field) must be signed")
        }
        for name in signedList where message[name] == nil {
            throw OpenIDError.invalidSignature.with(message: "the signed field openid.\(name) is missing")
        }
        guard claimedID != OpenIDMessage.identifierSelect, identity != OpenIDMessage.identifierSelect else {
            throw OpenIDError.invalidMessage.with(message: "the assertion names identifier_select as the identity")
        }

        // 11.3, first half: the nonce's form and time, before any network round trip.
        let nonceTime = try NonceTimestamp.parse(nonce)
        let now = clock.now()
        guard abs(nonceTime.timeIntervalSince(now)) <= configuration.nonceSkew else {
            throw OpenIDError.nonceOutsideWindow
        }
        guard let endpoint = OpenIDIdentifier.normalizedURL(opEndpoint), URL(string: endpoint) != nil else {
            throw OpenIDError.invalidMessage.with(message: "openid.op_endpoint is not an http(s) URL")
        }
        // A string comparison: no lookup, no request, no nonce for a provider we do not take.
        try await checkAllowedProvider(endpoint)

        // 11.4 and 11.2, in the order described above. No URL policy check here: it would
        // cost a host name lookup before the signature is known to be good; every fetch
        // below (discovery, check_authentication) applies the policy itself.
        let budget = OutboundFetchBudget(configuration.urlPolicy.maximumFetches)
        if let association = try await associations.association(endpoint: endpoint, handle: handle, at: now) {
            try Self.checkSignature(message, signedList: signedList, association: association)
            try await checkDiscoveredInformation(claimedID: claimedID, identity: identity, endpoint: endpoint, budget: budget)
        } else if case .opIdentifiers = configuration.allowedProviders {
            // The endpoint is one the host named (checked above), so it may vouch first:
            // an unsigned callback then never makes us look up or fetch what it names.
            log("no usable association for the assertion's handle; asking \(URL(string: endpoint)?.redactedForLogs ?? "the provider") (check_authentication)")
            try await checkAuthentication(message, endpoint: endpoint, budget: budget)
            try await checkDiscoveredInformation(claimedID: claimedID, identity: identity, endpoint: endpoint, budget: budget)
        } else {
            try await checkDiscoveredInformation(claimedID: claimedID, identity: identity, endpoint: endpoint, budget: budget)
            log("no usable association for the assertion's handle; asking \(URL(string: endpoint)?.redactedForLogs ?? "the provider") (check_authentication)")
            try await checkAuthentication(message, endpoint: endpoint, budget: budget)
        }

        // 11.3, second half: never the same nonce twice from one provider.
        guard try await nonces.consume(nonce: nonce, endpoint: endpoint, expiresAt: nonceTime.addingTimeInterval(configuration.nonceSkew)) else {
            throw OpenIDError.replayedNonce
        }
        try? await nonces.removeExpiredNonces(before: now.addingTimeInterval(-configuration.nonceSkew))

        let trusted = try await trustsExtensionValues(from: endpoint, budget: budget)
        return try assertion(
            from: message, signedList: signedList, claimedID: claimedID, identity: identity, endpoint: endpoint,
            extensionValuesTrusted: trusted)
    }

    /// Refuses `endpoint` (normalized) unless ``Configuration/allowedProviders`` allows it.
    /// - Throws: ``OpenIDError/unexpectedProvider``; discovery errors of the configured OP
    ///   identifiers as they are (the configured provider could not be reached).
    func checkAllowedProvider(_ endpoint: String) async throws(OpenIDError) {
        switch configuration.allowedProviders {
        case .anyProvider: return
        case .opIdentifiers(let identifiers):
            let budget = OutboundFetchBudget(configuration.urlPolicy.maximumFetches)
            guard try await opEndpoints(of: identifiers, budget: budget).contains(endpoint) else {
                throw OpenIDError.unexpectedProvider
            }
        }
    }

    /// The endpoints of the OP identifier services that `identifiers` discover to (cached
    /// discovery). An identifier that cannot be discovered throws: the host configured it,
    /// so its failure is reported as what it is.
    func opEndpoints(of identifiers: [URL], budget: OutboundFetchBudget) async throws(OpenIDError) -> Set<String> {
        var endpoints = Set<String>()
        for identifier in identifiers {
            let normalized: String
            if let known = normalizedOPIdentifiers[identifier] {
                normalized = known
            } else {
                normalized = try OpenIDIdentifier.normalize(identifier.absoluteString)
            }
            let discovered = try await discovery.discover(normalized: normalized, budget: budget)
            for service in discovered.services where service.isOPIdentifier { endpoints.insert(service.endpoint) }
        }
        return endpoints
    }

    /// 11.1: `returnTo` (openid.return_to) has the scheme, host, port and path of the
    /// configured return_to, lies under the configured realm, and names the URL the answer
    /// arrived at (scheme, authority and path equal; each of its query parameters present in
    /// the callback URL with the same value). The configured URL is what makes this hold
    /// when the host rebuilt `callbackURL` from a `Host` header an attacker chose.
    func checkReturnTo(_ returnTo: String, callbackURL: URL, callbackQuery: [(String, String)]) throws(OpenIDError) {
        guard let expected = URLComponents(string: returnTo), let configured = configuredReturnTo else {
            throw OpenIDError.returnToMismatch.with(message: "openid.return_to is not a URL")
        }
        guard Self.sameLocation(expected, configured), OpenIDRealm.matches(realm: configuration.realm, returnTo: returnTo) else {
            throw OpenIDError.returnToMismatch.with(message: "openid.return_to is not this relying party's return_to URL")
        }
        try Self.checkReturnTo(expected, callbackURL: callbackURL, callbackQuery: callbackQuery)
    }

    /// 11.1 against the URL the answer arrived at.
    private static func checkReturnTo(_ expected: URLComponents, callbackURL: URL, callbackQuery: [(String, String)]) throws(OpenIDError) {
        guard let actual = URLComponents(url: callbackURL, resolvingAgainstBaseURL: true) else {
            throw OpenIDError.returnToMismatch.with(message: "openid.return_to is not a URL")
        }
        guard sameLocation(expected, actual) else { throw OpenIDError.returnToMismatch.with(message: "openid.return_to names another URL") }
        for (name, value) in FormURLEncoding.decode(expected.percentEncodedQuery ?? "") {
            guard callbackQuery.contains(where: { $0.0 == name && $0.1 == value }) else {
                throw OpenIDError.returnToMismatch.with(message: "the return_to query parameter \(name) differs")
            }
        }
    }

    /// Same scheme, host, effective port and path (an empty path is `/`); no user info.
    static func sameLocation(_ a: URLComponents, _ b: URLComponents) -> Bool {
        func path(_ c: URLComponents) -> String { c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath }
        return a.scheme != nil && a.scheme?.lowercased() == b.scheme?.lowercased()
            && a.user == nil && b.user == nil && a.password == nil && b.password == nil
            && a.host?.lowercased() == b.host?.lowercased() && a.effectivePort == b.effectivePort && path(a) == path(b)
    }

    /// 11.2: re-discover the claimed identifier (without fragment) and require a claimed
    /// identifier service at the asserting endpoint whose identity is the asserted one.
    func checkDiscoveredInformation(claimedID: String, identity: String, endpoint: String, budget: OutboundFetchBudget)
        async throws(OpenIDError)
    {
        let bare = OpenIDIdentifier.removingFragment(claimedID)
        guard let normalizedClaim = OpenIDIdentifier.normalizedURL(bare) else {
            throw OpenIDError.discoveryMismatch.with(message: "the claimed identifier is not an http(s) URL")
        }
        let discovered: DiscoveredIdentifier
        do {
            discovered = try await discovery.discover(normalized: normalizedClaim, budget: budget)
        } catch where error == .refusedURL || error == .tooManyFetches {
            throw error
        } catch {
            // Not even the kind: whether the server answered, and what, stays in the operator's log.
            log("re-discovery of the claimed identifier failed (\(error.kind))")
            throw OpenIDError.discoveryMismatch.with(message: "the claimed identifier could not be re-discovered")
        }
        guard discovered.identifier == normalizedClaim else {
            throw OpenIDError.discoveryMismatch.with(message: "the claimed identifier redirects to another identifier")
        }
        if discovered.isOPIdentifier { throw OpenIDError.claimedIdentifierIsOPIdentifier }
        let match = discovered.services.contains { service in
            !service.isOPIdentifier && service.endpoint == endpoint && service.requestedIdentity == identity
        }
        guard match else {
            throw OpenIDError.discoveryMismatch.with(
                message: "the claimed identifier's discovered provider or local identifier differs from the assertion")
        }
    }

    /// 11.4 with our association: the HMAC over the signed list, compared in constant time.
    static func checkSignature(_ message: OpenIDMessage, signedList: [String], association: OpenIDAssociation) throws(OpenIDError) {
        guard let signature = Data(base64Encoded: message["sig"] ?? "") else { throw OpenIDError.invalidSignature }
        var expected = try association.signature(of: signedList, in: message)
        defer { SecureMemory.wipe(&expected) }
        guard ConstantTime.equals(expected, Array(signature)) else { throw OpenIDError.invalidSignature }
    }

    /// 11.4.2: asks the provider to confirm the assertion. `invalidate_handle` is acted on only
    /// when it comes back in this direct, authenticated-by-TLS answer (11.4.2.2), never from
    /// the indirect message.
    func checkAuthentication(_ message: OpenIDMessage, endpoint: String, budget: OutboundFetchBudget) async throws(OpenIDError) {
        guard let url = URL(string: endpoint) else { throw OpenIDError.invalidMessage }
        var fields = message.prefixedFields
        for index in fields.indices where fields[index].0 == "openid.mode" { fields[index].1 = "check_authentication" }
        let response = try await directRequest(url: url, fields: fields, budget: budget)
        guard response.status == 200 else {
            throw OpenIDError.assertionNotConfirmed.with(message: "the provider refused check_authentication")
        }
        if let stale = response.fields["invalidate_handle"], response.fields["is_valid"] == "true" {
            try await associations.removeAssociation(endpoint: endpoint, handle: stale)
        }
        guard response.fields["is_valid"] == "true" else { throw OpenIDError.assertionNotConfirmed }
    }

    /// Whether ``Configuration/extensionTrust`` trusts `endpoint`'s SREG, AX and team values.
    /// - Throws: discovery errors of the configured OP identifiers (cached when
    ///   ``Configuration/allowedProviders`` names the same ones, so no second fetch).
    func trustsExtensionValues(from endpoint: String, budget: OutboundFetchBudget) async throws(OpenIDError) -> Bool {
        switch configuration.extensionTrust {
        case .noProvider: return false
        case .anyProvider: return true
        case .opIdentifiers(let identifiers):
            if try await opEndpoints(of: identifiers, budget: budget).contains(endpoint) { return true }
            log("extension values from \(URL(string: endpoint)?.redactedForLogs ?? "the provider") are not reported: it is not a trusted provider")
            return false
        }
    }

    /// The verified assertion, with extension values taken from signed fields only, and
    /// SREG, AX and teams only when `extensionValuesTrusted`.
    func assertion(
        from message: OpenIDMessage, signedList: [String], claimedID: String, identity: String, endpoint: String,
        extensionValuesTrusted: Bool
    ) throws(OpenIDError) -> VerifiedAssertion {
        let signedSet = Set(signedList)
        let signed = OpenIDMessage(message.fields.filter { signedSet.contains($0.key) }.map { ($0.key, $0.value) })
        let exempt: Set<String> = ["ns", "mode", "sig", "signed", "invalidate_handle"]
        let dropped = message.fields.map(\.key).filter { !signedSet.contains($0) && !exempt.contains($0) }
        if !dropped.isEmpty, configuration.unsignedValuePolicy == .refuse {
            throw OpenIDError.unsignedExtensionValue.with(message: "unsigned fields: \(dropped.joined(separator: ", "))")
        }
        var result = VerifiedAssertion(
            claimedIdentifier: claimedID, localIdentifier: identity, providerEndpoint: endpoint,
            signedFields: Dictionary(signed.fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }),
            droppedUnsignedFields: dropped, extensionValuesTrusted: extensionValuesTrusted)
        ExtensionResponses.read(signed, into: &result, includingClaims: extensionValuesTrusted)
        return result
    }
}
