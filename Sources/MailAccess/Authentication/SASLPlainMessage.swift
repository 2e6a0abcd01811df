import Foundation

/// The SASL PLAIN mechanism's message (RFC 4616): `[authzid] NUL authcid NUL passwd`,
/// base64-encoded on the wire by POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE (RFC 9051).
public enum SASLPlainMessage {
    /// Why a PLAIN response cannot be used.
    public enum Failure: Error, Sendable, Hashable {
        /// Not base64 (RFC 5034: the server rejects it with `-ERR`).
        case invalidBase64
        /// Not two NULs, an empty name or password, invalid UTF-8, or too long.
        case malformed
        /// An authorization identity other than the authentication identity: acting as
        /// another user is not supported.
        case authorizationIdentityRefused
    }

    /// The longest decoded message accepted (RFC 4616 allows 255 octets per field).
    public static let maximumLength = 1_024

    /// Decodes a base64 client response (`=` stands for an empty one, RFC 5034 section 4).
    public static func credentials(fromBase64 text: String) -> Result<MailAccessCredentials, Failure> {
        guard text.utf8.count <= (maximumLength / 3 + 1) * 4 else { return .failure(.malformed) }
        if text == "=" { return .failure(.malformed) }
        guard let data = Data(base64Encoded: text) else { return .failure(.invalidBase64) }
        return credentials(from: Array(data))
    }

    /// Decodes the message itself.
    public static func credentials(from bytes: [UInt8]) -> Result<MailAccessCredentials, Failure> {
        guard bytes.count <= maximumLength else { return .failure(.malformed) }
        let fields = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3,
            let authorization = String(validating: Array(fields[0]), as: UTF8.self),
            let login = String(validating: Array(fields[1]), as: UTF8.self),
            let password = String(validating: Array(fields[2]), as: UTF8.self),
            !login.isEmpty, !password.isEmpty, !password.utf8.contains(0)
        else { return .failure(.malformed) }
        guard authorization.isEmpty || authorization == login else { return .failure(.authorizationIdentityRefused) }
        return .success(MailAccessCredentials(login: login, password: password))
    }
}
