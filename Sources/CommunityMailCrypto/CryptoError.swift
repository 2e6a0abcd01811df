import CommunityMailCOpenSSL
public import CommunityMailSystem

/// An error from the cryptographic layer.
///
/// Messages name the operation that failed and, where libcrypto gave one, its reason
/// string. They never contain key material, plaintext or tags.
public struct CryptoError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case libcrypto
        case invalidKeyLength
        case invalidNonceLength
        case invalidParameter
        case authenticationFailed
        case invalidPublicKey
        case invalidKey
        case tlsHandshake
        case tlsIO
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }

    private init(_ code: Code, _ message: String) { parts = ErrorParts(code, message) }

    /// True only for ``tlsIO`` (the connection under a TLS session failed, which a new
    /// connection may not repeat). Bad keys, nonces, parameters, a failed tag or public
    /// value, a refused handshake and a libcrypto failure repeat.
    public var isTransient: Bool { code == .tlsIO }

    /// libcrypto reported a failure (an allocation, an unavailable algorithm, a bad state).
    public static let libcrypto = CryptoError(.libcrypto, "libcrypto failed")
    /// A key had the wrong length for the algorithm.
    public static let invalidKeyLength = CryptoError(.invalidKeyLength, "key has the wrong length")
    /// A nonce or IV had the wrong length for the algorithm.
    public static let invalidNonceLength = CryptoError(.invalidNonceLength, "nonce has the wrong length")
    /// A parameter was out of range (an iteration count, an output length, a counter).
    public static let invalidParameter = CryptoError(.invalidParameter, "parameter out of range")
    /// An authentication tag did not match: the data or the key is not the one that was sealed.
    public static let authenticationFailed = CryptoError(
        .authenticationFailed, "authentication failed: the data was altered or the key is wrong")
    /// A Diffie-Hellman public value was outside the group (0, 1, p-1 or >= p) or malformed.
    public static let invalidPublicKey = CryptoError(
        .invalidPublicKey, "the peer's Diffie-Hellman public key is not a valid group element")

    /// A signing or verifying key that cannot be read (not DER, PEM or raw bytes of the
    /// expected form, an encrypted PEM, an unsupported key type).
    public static let invalidKey = CryptoError(.invalidKey, "the key cannot be read")

    /// The TLS handshake failed: no common protocol, an untrusted certificate, a name that
    /// does not match the server.
    public static let tlsHandshake = CryptoError(.tlsHandshake, "the TLS handshake failed")
    /// Reading or writing on an established TLS connection failed.
    public static let tlsIO = CryptoError(.tlsIO, "TLS read or write failed")

    /// `self` with a more specific message; equality still compares only the kind.
    func with(message: String) -> CryptoError { CryptoError(code, message) }

    /// A libcrypto failure in `operation`, with libcrypto's queued reason if any.
    static func libcrypto(_ operation: String) -> CryptoError {
        var reason = ""
        var first = true
        while case let code = ERR_get_error(), code != 0 {
            if first {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                first = false
            }
        }
        let message = reason.isEmpty ? "\(operation) failed in libcrypto" : "\(operation) failed in libcrypto: \(reason)"
        return CryptoError(.libcrypto, message)
    }

    /// The message.
    public var description: String { "CryptoError: \(message)" }
}

/// Throws the queued libcrypto error for `operation` unless `result` is 1 (libcrypto's success).
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
    guard result == 1 else { throw CryptoError.libcrypto(operation()) }
}
