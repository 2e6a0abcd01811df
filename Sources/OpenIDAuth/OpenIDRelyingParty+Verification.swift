import CommunityMailCrypto
import Foundation
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
            do {
                let assertion = try await verify(message, callbackURL: callbackURL, callbackQuery: callbackQuery)
                log("assertion accepted for \(assertion.claimedIdentifier) from \(assertion.providerEndpoint)")
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

    /// The section 11 checks, in the order python-openid and the spec give them; each failure
    /// is its own typed error.
    func verify(_ message: OpenIDMessage, callbackURL: URL, callbackQuery: [(String, String)]) async throws(OpenIDError)
        -> VerifiedAssertion
    {
        // 11.1: the assertion was made for the URL it arrived at.
        let returnTo = try message.required("return_to")
        try Self.checkReturnTo(returnTo, callbackURL: callbackURL, callbackQuery: callbackQuery)

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

        // 11.3, first half: the nonce's form and time, before any network round trip.
        let nonceTime = try NonceTimestamp.parse(nonce)
        let now = clock.now
        guard abs(nonceTime.timeIntervalSince(now)) <= configuration.nonceSkew else {
            throw OpenIDError.nonceOutsideWindow
        }

        // 11.2: the provider is authoritative for the claimed identifier.
        guard let endpoint = OpenIDIdentifier.normalizedURL(opEndpoint) else {
            throw OpenIDError.invalidMessage.with(message: "openid.op_endpoint is not an http(s) URL")
        }
        try await checkDiscoveredInformation(claimedID: claimedID, identity: identity, endpoint: endpoint)

        // 11.4: the signature, with our association or by asking the provider.
        try await checkSignature(message, signedList: signedList, handle: handle, endpoint: endpoint)

        // 11.3, second half: never the same nonce twice from one provider.
        guard try await nonces.consume(nonce: nonce, endpoint: endpoint, expiresAt: nonceTime.addingTimeInterval(configuration.nonceSkew)) else {
            throw OpenIDError.replayedNonce
        }
        try? await nonces.removeExpiredNonces(before: now.addingTimeInterval(-configuration.nonceSkew))

        return try assertion(from: message, signedList: signedList, claimedID: claimedID, identity: identity, endpoint: endpoint)
    }

    /// 11.1: scheme, authority and path equal; every return_to query parameter present in
    /// the callback URL with the same value.
    static func checkReturnTo(_ returnTo: String, callbackURL: URL, callbackQuery: [(String, String)]) throws(OpenIDError) {
        guard let expected = URLComponents(string: returnTo),
              let actual = URLComponents(url: callbackURL, resolvingAgainstBaseURL: true)
        else { throw OpenIDError.returnToMismatch.with(message: "openid.return_to is not a URL") }
        func path(_ c: URLComponents) -> String { c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath }
        guard expected.scheme?.lowercased() == actual.scheme?.lowercased(), expected.scheme != nil,
              expected.host?.lowercased() == actual.host?.lowercased(), expected.effectivePort == actual.effectivePort,
              path(expected) == path(actual)
        else { throw OpenIDError.returnToMismatch.with(message: "openid.return_to names another URL") }
        for (name, value) in FormURLEncoding.decode(expected.percentEncodedQuery ?? "") {
            guard callbackQuery.contains(where: { $0.0 == name && $0.1 == value }) else {
                throw OpenIDError.returnToMismatch.with(message: "the return_to query parameter \(name) differs")
            }
        }
    }

    /// 11.2: re-discover the claimed identifier (without fragment) and require a claimed
    /// identifier service at the asserting endpoint whose identity is the asserted one.
    func checkDiscoveredInformation(claimedID: String, identity: String, endpoint: String) async throws(OpenIDError) {
        guard claimedID != OpenIDMessage.identifierSelect, identity != OpenIDMessage.identifierSelect else {
            throw OpenIDError.invalidMessage.with(message: "the assertion names identifier_select as the identity")
        }
        let bare = OpenIDIdentifier.removingFragment(claimedID)
        guard let normalizedClaim = OpenIDIdentifier.normalizedURL(bare) else {
            throw OpenIDError.discoveryMismatch.with(message: "the claimed identifier is not an http(s) URL")
        }
        let discovered: DiscoveredIdentifier
        do {
            discovered = try await discovery.discover(normalized: normalizedClaim)
        } catch {
            throw OpenIDError.discoveryMismatch.with(message: "the claimed identifier could not be re-discovered: \(error.message)")
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

    /// 11.4: with a stored, unexpired association, the HMAC over the signed list in constant
    /// time; otherwise check_authentication with the (already verified) endpoint.
    func checkSignature(_ message: OpenIDMessage, signedList: [String], handle: String, endpoint: String) async throws(OpenIDError) {
        if let association = try await associations.association(endpoint: endpoint, handle: handle, at: clock.now) {
            guard let signature = Data(base64Encoded: message["sig"] ?? "") else { throw OpenIDError.invalidSignature }
            var expected = try association.signature(of: signedList, in: message)
            defer { SecureMemory.wipe(&expected) }
            guard ConstantTime.equals(expected, Array(signature)) else { throw OpenIDError.invalidSignature }
            return
        }
        log("no usable association for the assertion's handle; asking \(endpoint) (check_authentication)")
        try await checkAuthentication(message, endpoint: endpoint)
    }

    /// 11.4.2: asks the provider to confirm the assertion. `invalidate_handle` is acted on only
    /// when it comes back in this direct, authenticated-by-TLS answer (11.4.2.2), never from
    /// the indirect message.
    func checkAuthentication(_ message: OpenIDMessage, endpoint: String) async throws(OpenIDError) {
        guard let url = URL(string: endpoint) else { throw OpenIDError.invalidMessage }
        var fields = message.prefixedFields
        for index in fields.indices where fields[index].0 == "openid.mode" { fields[index].1 = "check_authentication" }
        let response = try await directRequest(url: url, fields: fields)
        guard response.status == 200 else {
            throw OpenIDError.assertionNotConfirmed.with(message: "the provider refused check_authentication")
        }
        if let stale = response.fields["invalidate_handle"], response.fields["is_valid"] == "true" {
            try await associations.removeAssociation(endpoint: endpoint, handle: stale)
        }
        guard response.fields["is_valid"] == "true" else { throw OpenIDError.assertionNotConfirmed }
    }

    /// The verified assertion, with extension values taken from signed fields only.
    func assertion(
        from message: OpenIDMessage, signedList: [String], claimedID: String, identity: String, endpoint: String
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
            droppedUnsignedFields: dropped)
        ExtensionResponses.read(signed, into: &result)
        return result
    }
}
