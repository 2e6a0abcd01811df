import CommunityMailCrypto
import CommunityMailSystem
public import Foundation
import HTTPTransport

extension FakeOpenIDProvider {
    /// The provider's answer URL for a positive assertion: what the browser would be
    /// redirected to after the user approved `requestURL` (a ``OpenIDAuthenticationRequest``'s
    /// redirect URL).
    /// - Parameters:
    ///   - requestURL: the checkid request.
    ///   - claimedIdentifier: who signs in, for identifier_select requests (ignored otherwise).
    ///   - forgeries: attacks to build into the answer.
    /// - Throws: ``OpenIDError/invalidMessage`` when the request is not a checkid request of
    ///   a known user.
    public func positiveAssertion(for requestURL: URL, as claimedIdentifier: String? = nil, forgeries: [Forgery] = [])
        throws(OpenIDError) -> URL
    {
        let request = try OpenIDMessage(query: requestURL)
        let answer = try positiveAssertionMessage(for: request, as: claimedIdentifier, forgeries: forgeries)
        return try Self.redirect(to: request.required("return_to"), with: answer)
    }

    /// The positive assertion as a message, for answering by form POST (its
    /// ``OpenIDMessage/formEncoded`` is the body the browser would post to return_to).
    /// - Throws: ``OpenIDError/invalidMessage`` when the request is not a checkid request of
    ///   a known user.
    public func positiveAssertionMessage(for request: OpenIDMessage, as claimedIdentifier: String? = nil, forgeries: [Forgery] = [])
        throws(OpenIDError) -> OpenIDMessage
    {
        guard request["mode"] == "checkid_setup" || request["mode"] == "checkid_immediate" else {
            throw OpenIDError.invalidMessage.with(message: "not a checkid request")
        }
        let returnTo = try request.required("return_to")
        let requestedClaim = try request.required("claimed_id")
        let wanted = requestedClaim == OpenIDMessage.identifierSelect ? claimedIdentifier : requestedClaim
        guard let wanted, let identity = identities[wanted] ?? identities.values.first(where: {
            OpenIDIdentifier.normalizedURL($0.claimedIdentifier) == OpenIDIdentifier.normalizedURL(wanted)
        }) else {
            throw OpenIDError.invalidMessage.with(message: "the fake provider has no such identity")
        }

        var answer = OpenIDMessage([("ns", OpenIDMessage.namespace), ("mode", "id_res")])
        answer["op_endpoint"] = configuration.endpoint.absoluteString
        answer["claimed_id"] = identity.claimedIdentifier
        answer["identity"] = identity.localIdentifier ?? identity.claimedIdentifier
        answer["return_to"] = returnTo
        var nonceTime = clock.now()
        for forgery in forgeries {
            switch forgery {
            case .returnTo(let other): answer["return_to"] = other
            case .nonceTime(let time): nonceTime = time
            case .claimedIdentifier(let other):
                answer["claimed_id"] = other
                answer["identity"] = other
            default: break
            }
        }
        nonceCounter += 1
        answer["response_nonce"] = NonceTimestamp.format(nonceTime) + "fake\(nonceCounter)"
        addExtensions(to: &answer, request: request, identity: identity)

        // The association: the relying party's when the provider still has it, else a private one.
        let now = clock.now()
        let association: OpenIDAssociation
        if forgeries.contains(.unknownAssociationHandle) {
            association = try makeAssociation(handle: newHandle(prefix: "forged"), store: false)
        } else if let handle = request["assoc_handle"], let existing = shared[handle],
                  !existing.isExpired(at: now) || forgeries.contains(.useExpiredAssociation)
        {
            association = existing
        } else {
            if let handle = request["assoc_handle"] { answer["invalidate_handle"] = handle }
            association = try makeAssociation(handle: newHandle(prefix: "private"), store: true)
        }
        answer["assoc_handle"] = association.handle
        let signedList = answer.fields.map(\.key).filter { !["mode", "ns", "invalidate_handle"].contains($0) }
        answer["signed"] = signedList.joined(separator: ",")
        answer["sig"] = Data(try association.signature(of: signedList, in: answer)).base64EncodedString()

        for forgery in forgeries {
            switch forgery {
            case .changeSignedField(let key, let value): answer[key] = value
            case .addFieldToSignedList(let key, let value):
                answer[key] = value
                answer["signed"] = (answer["signed"] ?? "") + "," + key
            case .unsignedTeams(let teams):
                if answer.alias(forNamespace: OpenIDExtensionNamespace.launchpadTeams) == nil {
                    answer["ns.lp"] = OpenIDExtensionNamespace.launchpadTeams
                }
                let alias = answer.alias(forNamespace: OpenIDExtensionNamespace.launchpadTeams) ?? "lp"
                answer["\(alias).is_member"] = teams.joined(separator: ",")
            default: break
            }
        }
        return answer
    }

    /// The answer URL for a `cancel` (the user declined).
    public func cancel(for requestURL: URL) throws(OpenIDError) -> URL {
        let request = try OpenIDMessage(query: requestURL)
        return try Self.redirect(to: request.required("return_to"), with: OpenIDMessage([("ns", OpenIDMessage.namespace), ("mode", "cancel")]))
    }

    /// The answer URL for `setup_needed` (a checkid_immediate request that needs the user).
    public func setupNeeded(for requestURL: URL) throws(OpenIDError) -> URL {
        let request = try OpenIDMessage(query: requestURL)
        return try Self.redirect(
            to: request.required("return_to"), with: OpenIDMessage([("ns", OpenIDMessage.namespace), ("mode", "setup_needed")]))
    }

    private func makeAssociation(handle: String, store: Bool) throws(OpenIDError) -> OpenIDAssociation {
        guard let secret = try? SecureRandom.bytes(32) else { throw OpenIDError.invalidMessage.with(message: "no randomness") }
        let now = clock.now()
        let association = OpenIDAssociation(
            endpoint: configuration.endpoint.absoluteString, handle: handle, secret: secret, type: .hmacSHA256,
            issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(configuration.associationLifetime)))
        if store { privateAssociations[handle] = association }
        return association
    }

    private func addExtensions(to answer: inout OpenIDMessage, request: OpenIDMessage, identity: Identity) {
        let profile: [String: String?] = ["nickname": identity.nickname, "email": identity.email, "fullname": identity.fullName]
        if let alias = request.alias(forNamespace: OpenIDExtensionNamespace.simpleRegistration) {
            let asked = [request["\(alias).required"], request["\(alias).optional"]].compactMap { $0 }
                .flatMap { $0.split(separator: ",").map(String.init) }
            answer["ns.sreg"] = OpenIDExtensionNamespace.simpleRegistration
            for field in asked { if let value = profile[field] ?? nil { answer["sreg.\(field)"] = value } }
        }
        if let alias = request.alias(forNamespace: OpenIDExtensionNamespace.attributeExchange) {
            let byType = ["http://axschema.org/contact/email": identity.email, "http://axschema.org/namePerson": identity.fullName,
                          "http://axschema.org/namePerson/friendly": identity.nickname]
            answer["ns.ax"] = OpenIDExtensionNamespace.attributeExchange
            answer["ax.mode"] = "fetch_response"
            for field in request.fields where field.key.hasPrefix("\(alias).type.") {
                let name = String(field.key.dropFirst("\(alias).type.".count))
                if let value = byType[field.value] ?? nil {
                    answer["ax.type.\(name)"] = field.value
                    answer["ax.value.\(name)"] = value
                }
            }
        }
        if let alias = request.alias(forNamespace: OpenIDExtensionNamespace.launchpadTeams), let query = request["\(alias).query_membership"] {
            answer["ns.lp"] = OpenIDExtensionNamespace.launchpadTeams
            answer["lp.is_member"] = query.split(separator: ",").map(String.init).filter(identity.teams.contains).joined(separator: ",")
        }
        if request.alias(forNamespace: OpenIDExtensionNamespace.pape) != nil {
            answer["ns.pape"] = OpenIDExtensionNamespace.pape
            answer["pape.auth_time"] = NonceTimestamp.format(clock.now())
            answer["pape.auth_policies"] = "none"
        }
    }

    static func redirect(to returnTo: String, with message: OpenIDMessage) throws(OpenIDError) -> URL {
        let separator = returnTo.contains("?") ? "&" : "?"
        guard let url = URL(string: returnTo + separator + message.formEncoded) else {
            throw OpenIDError.invalidMessage.with(message: "return_to is not a URL")
        }
        return url
    }
}
