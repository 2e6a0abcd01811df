import CommunityMailCrypto
import CommunityMailSystem
public import Foundation
import HTTPTransport

extension OpenIDRelyingParty {
    /// A usable association with `endpoint`: a stored one with time to live, else a new one.
    /// Nil in stateless mode or when the provider will not associate (then the assertion is
    /// checked by check_authentication instead).
    func association(for endpoint: String, budget: OutboundFetchBudget) async -> OpenIDAssociation? {
        guard case .associate(let kinds) = configuration.associationPolicy, !kinds.isEmpty else { return nil }
        let now = clock.now()
        if let existing = try? await associations.newestAssociation(
            endpoint: endpoint, at: now.addingTimeInterval(configuration.associationRenewalMargin))
        {
            return existing
        }
        do {
            return try await associate(endpoint: endpoint, budget: budget)
        } catch {
            log("no association with \(URL(string: endpoint)?.redactedForLogs ?? "the provider") (\(error.kind)); signatures will be checked statelessly")
            return nil
        }
    }

    /// Makes a new association with `endpoint` using the configured kinds in order, taking the
    /// provider's `unsupported-type` suggestion once when it is a kind we accept, and stores it.
    /// - Throws: ``OpenIDError/associationFailed`` when no kind works,
    ///   ``OpenIDError/refusedURL`` when the URL policy refuses the endpoint.
    @discardableResult
    public func associate(endpoint: String) async throws(OpenIDError) -> OpenIDAssociation {
        try await associate(endpoint: endpoint, budget: OutboundFetchBudget(configuration.urlPolicy.maximumFetches))
    }

    func associate(endpoint: String, budget: OutboundFetchBudget) async throws(OpenIDError) -> OpenIDAssociation {
        guard case .associate(let kinds) = configuration.associationPolicy else {
            throw OpenIDError.associationFailed.with(message: "the relying party is stateless")
        }
        let secure = endpoint.lowercased().hasPrefix("https://")
        let allowed = kinds.filter { $0.isConsistent && (secure || $0.session != .noEncryption) }
        var lastError = OpenIDError.associationFailed.with(message: "no association kind is allowed for the provider")
        var tried = Set<AssociationKind>()
        var queue = allowed
        while !queue.isEmpty {
            let kind = queue.removeFirst()
            guard tried.insert(kind).inserted else { continue }
            switch try await requestAssociation(endpoint: endpoint, kind: kind, budget: budget) {
            case .success(let association):
                try await associations.store(association)
                log("associated with \(URL(string: endpoint)?.redactedForLogs ?? "the provider"): \(kind.type.rawValue) over \(kind.session.rawValue)")
                return association
            case .unsupported(let suggestion, let error):
                lastError = error
                // Renegotiate once per suggestion, and only to a kind we were willing to use anyway.
                if let suggestion, allowed.contains(suggestion), !tried.contains(suggestion) { queue.insert(suggestion, at: 0) }
            case .failed(let error):
                lastError = error
            }
        }
        throw lastError
    }

    private enum AssociationAttempt {
        case success(OpenIDAssociation)
        case unsupported(AssociationKind?, OpenIDError)
        case failed(OpenIDError)
    }

    private func requestAssociation(endpoint: String, kind: AssociationKind, budget: OutboundFetchBudget)
        async throws(OpenIDError) -> AssociationAttempt
    {
        guard let url = URL(string: endpoint) else { return .failed(.associationFailed) }
        let keyPair: DiffieHellman.KeyPair?
        var fields = [
            ("openid.ns", OpenIDMessage.namespace), ("openid.mode", "associate"),
            ("openid.assoc_type", kind.type.rawValue), ("openid.session_type", kind.session.rawValue),
        ]
        if kind.session == .noEncryption {
            keyPair = nil
        } else {
            do {
                let pair = try DiffieHellman.KeyPair(group: .openIDDefault)
                fields.append(("openid.dh_consumer_public", Data(pair.publicKey).base64EncodedString()))
                keyPair = pair
            } catch {
                return .failed(OpenIDError.associationFailed.with(message: "cannot make a Diffie-Hellman key pair"))
            }
        }
        let response = try await directRequest(url: url, fields: fields, budget: budget)
        let failure = { (text: String) in OpenIDError.associationFailed.with(message: text) }
        guard response.status == 200 else {
            if response.fields["error_code"] == "unsupported-type" {
                let suggestion = response.fields["assoc_type"].flatMap(OpenIDAssociation.AssociationType.init(rawValue:))
                    .flatMap { type in
                        response.fields["session_type"].flatMap(OpenIDAssociation.SessionType.init(rawValue:)).map {
                            AssociationKind(type: type, session: $0)
                        }
                    }
                return .unsupported(suggestion, failure("the provider does not support \(kind.type.rawValue)/\(kind.session.rawValue)"))
            }
            return .failed(failure("the provider refused to associate"))
        }
        let answer = response.fields
        guard answer["ns"] == OpenIDMessage.namespace, answer["assoc_type"] == kind.type.rawValue,
              answer["session_type"] == kind.session.rawValue,
              let handle = answer["assoc_handle"], Self.isValidHandle(handle),
              let expiresText = answer["expires_in"], let expiresIn = Int(expiresText), expiresIn > 0
        else { return .failed(failure("the provider's associate answer is malformed or does not match the request")) }

        var secret: [UInt8]
        if let keyPair, let hash = kind.session.hash {
            guard let serverPublic = answer["dh_server_public"].flatMap({ Data(base64Encoded: $0) }),
                  let encrypted = answer["enc_mac_key"].flatMap({ Data(base64Encoded: $0) }),
                  encrypted.count == kind.type.secretLength
            else { return .failed(failure("the provider's Diffie-Hellman answer is malformed")) }
            do {
                var shared = try keyPair.sharedSecret(withPeerPublicKey: Array(serverPublic))
                defer { SecureMemory.wipe(&shared) }
                let mask = try hash.function.hash(shared)
                secret = zip(Array(encrypted), mask).map { $0 ^ $1 }
            } catch {
                return .failed(failure("the provider's Diffie-Hellman public key is invalid"))
            }
        } else {
            guard let plain = answer["mac_key"].flatMap({ Data(base64Encoded: $0) }), plain.count == kind.type.secretLength else {
                return .failed(failure("the provider's MAC key is malformed"))
            }
            secret = Array(plain)
        }
        let now = clock.now()
        // The provider's lifetime, capped: a stranger's provider must not pick how long we keep state.
        let lifetime = min(TimeInterval(expiresIn), Self.maximumAssociationLifetime)
        return .success(OpenIDAssociation(
            endpoint: endpoint, handle: handle, secret: secret, type: kind.type, issuedAt: now,
            expiresAt: now.addingTimeInterval(lifetime)))
    }

    /// The longest an association is kept, whatever `expires_in` the provider answered:
    /// 14 days (Ubuntu One's are two weeks).
    public static let maximumAssociationLifetime: TimeInterval = 14 * 24 * 3600

    /// A direct request's answer: its status and key-value fields.
    struct DirectResponse {
        var status: Int
        var fields: [String: String]
    }

    /// POSTs `fields` to the provider and decodes the key-value answer (sections 5.1.2,
    /// 5.1.2.2), after the URL policy allowed `url` and the budget allowed one more request.
    /// Messages do not repeat the status or transport failure: the endpoint may be named by
    /// a stranger, and its answers must not leak through our error messages. Both are kept
    /// as values (`status`, `cause`) so that `isTransient` can tell an outage from a refusal.
    func directRequest(url: URL, fields: [(String, String)], budget: OutboundFetchBudget) async throws(OpenIDError)
        -> DirectResponse
    {
        try await configuration.urlPolicy.check(url)
        try budget.spend()
        let response: HTTPResponse
        do {
            response = try await httpClient.execute(.formPost(url: url, fields: fields, timeout: configuration.requestTimeout))
        } catch {
            throw OpenIDError.transport.with(message: "the direct request to the provider failed", cause: error)
        }
        guard response.status == 200 || response.status == 400 else {
            throw OpenIDError.providerError.with(message: "the provider did not answer the direct request", status: response.status)
        }
        guard response.body.count <= 64 * 1024 else {
            throw OpenIDError.documentTooLarge.with(message: "the provider's direct answer is too large")
        }
        return DirectResponse(status: response.status, fields: try KeyValueForm.decode(response.bodyText))
    }

    /// Handles are 1 to 255 printable ASCII characters (section 8.2.1).
    static func isValidHandle(_ handle: String) -> Bool {
        let bytes = handle.utf8
        return !bytes.isEmpty && bytes.count <= 255 && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
