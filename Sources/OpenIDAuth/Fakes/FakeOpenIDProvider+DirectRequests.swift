import CommunityMailCrypto
import CommunityMailSystem
import Foundation
import HTTPTransport

extension FakeOpenIDProvider {
    /// `associate` (section 8): DH or plain sessions, `unsupported-type` for other kinds.
    func associate(_ message: OpenIDMessage) -> HTTPResponse {
        guard message["ns"] == OpenIDMessage.namespace,
              let type = message["assoc_type"].flatMap(OpenIDAssociation.AssociationType.init(rawValue:)),
              let session = message["session_type"].flatMap(OpenIDAssociation.SessionType.init(rawValue:))
        else { return associateUnsupported() }
        let kind = OpenIDRelyingParty.AssociationKind(type: type, session: session)
        let secure = configuration.endpoint.scheme == "https"
        guard configuration.supportedAssociations.contains(kind), kind.isConsistent, secure || session != .noEncryption else {
            return associateUnsupported()
        }
        guard var secret = try? SecureRandom.bytes(type.secretLength) else { return directError("no randomness", status: 400) }
        defer { SecureMemory.wipe(&secret) }
        var fields: [(String, String)] = [("ns", OpenIDMessage.namespace)]
        let handle = newHandle(prefix: type.rawValue)
        fields += [("assoc_handle", handle), ("session_type", session.rawValue), ("assoc_type", type.rawValue),
                   ("expires_in", String(configuration.associationLifetime))]
        if let hash = session.hash {
            guard let consumerPublic = message["dh_consumer_public"].flatMap({ Data(base64Encoded: $0) }),
                  let pair = try? DiffieHellman.KeyPair(group: .openIDDefault),
                  var sharedSecret = try? pair.sharedSecret(withPeerPublicKey: Array(consumerPublic)),
                  let mask = try? hash.function.hash(sharedSecret)
            else { return directError("bad dh_consumer_public", status: 400) }
            SecureMemory.wipe(&sharedSecret)
            fields += [("dh_server_public", Data(pair.publicKey).base64EncodedString()),
                       ("enc_mac_key", Data(zip(secret, mask).map { $0 ^ $1 }).base64EncodedString())]
        } else {
            fields.append(("mac_key", Data(secret).base64EncodedString()))
        }
        let now = clock.now()
        shared[handle] = OpenIDAssociation(
            endpoint: configuration.endpoint.absoluteString, handle: handle, secret: secret, type: type, issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(configuration.associationLifetime)))
        associationCount += 1
        return keyValue(fields)
    }

    private func associateUnsupported() -> HTTPResponse {
        let suggestion = configuration.supportedAssociations.first {
            $0.session != .noEncryption || configuration.endpoint.scheme == "https"
        }
        var extra: [(String, String)] = [("error_code", "unsupported-type")]
        if let suggestion { extra += [("assoc_type", suggestion.type.rawValue), ("session_type", suggestion.session.rawValue)] }
        return directError("unsupported association type", status: 400, extra: extra)
    }

    /// `check_authentication` (section 11.4.2): only private (stateless) handles verify, each
    /// once; a shared handle the provider does not know comes back as `invalidate_handle`.
    func checkAuthentication(_ message: OpenIDMessage) -> HTTPResponse {
        checkAuthenticationCount += 1
        var fields: [(String, String)] = [("ns", OpenIDMessage.namespace)]
        var valid = false
        if let handle = message["assoc_handle"], let association = privateAssociations[handle],
           !association.isExpired(at: clock.now()),
           let signedList = message["signed"]?.split(separator: ",").map(String.init),
           let signature = message["sig"].flatMap({ Data(base64Encoded: $0) })
        {
            var asAssertion = message
            asAssertion["mode"] = "id_res"
            if let expected = try? association.signature(of: signedList, in: asAssertion) {
                valid = ConstantTime.equals(expected, Array(signature))
            }
            if valid { privateAssociations[handle] = nil }
        }
        fields.append(("is_valid", valid ? "true" : "false"))
        if let stale = message["invalidate_handle"], shared[stale].map({ $0.isExpired(at: clock.now()) }) ?? true {
            fields.append(("invalidate_handle", stale))
        }
        return keyValue(fields)
    }

    func newHandle(prefix: String) -> String {
        let random = (try? SecureRandom.bytes(12)).map { Hex.encode($0) } ?? String(nonceCounter)
        nonceCounter += 1
        return "{\(prefix)}{\(Int(clock.now().timeIntervalSince1970))}{\(random)}"
    }
}
