import CommunityMailCOpenSSL

/// A hash computed over data that arrives in pieces (a message body canonicalised line by
/// line, header fields one at a time).
///
/// One owner at a time: it is a reference to libcrypto's running state, so it is not
/// `Sendable`. ``finalize()`` ends it; later updates throw.
public final class IncrementalHash {
    /// The hash function.
    public let function: HashFunction
    private let context: OpaquePointer
    private var finished = false

    /// A hash of nothing yet.
    /// - Throws: ``CryptoError/libcrypto`` when libcrypto cannot start the digest.
    public init(_ function: HashFunction) throws(CryptoError) {
        guard let context = EVP_MD_CTX_new() else { throw .libcrypto("EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(context, function.evpMD, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw .libcrypto("EVP_DigestInit_ex")
        }
        self.function = function
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `data` to the hash.
    /// - Throws: ``CryptoError/invalidParameter`` after ``finalize()``.
    public func update<D: ContiguousBytesLike>(_ data: D) throws(CryptoError) {
        guard !finished else { throw .invalidParameter.with(message: "the hash is already finalised") }
        let ok = data.withUnsafeBytes { buffer in
            buffer.isEmpty ? 1 : EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
        guard ok == 1 else { throw .libcrypto("EVP_DigestUpdate") }
    }

    /// The digest of everything added; ends the hash.
    /// - Throws: ``CryptoError/invalidParameter`` when called twice.
    public func finalize() throws(CryptoError) -> [UInt8] {
        guard !finished else { throw .invalidParameter.with(message: "the hash is already finalised") }
        finished = true
        var digest = [UInt8](repeating: 0, count: function.digestLength)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, Int(length) == function.digestLength else {
            throw .libcrypto("EVP_DigestFinal_ex")
        }
        return digest
    }
}
