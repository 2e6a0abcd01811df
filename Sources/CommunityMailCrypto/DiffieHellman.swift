import CommunityMailCOpenSSL

/// Finite-field Diffie-Hellman over libcrypto's BIGNUM, as OpenID 2.0 section 8.4.2 uses it.
///
/// Values cross the wire as `btwoc`: big-endian two's complement, shortest form, with a
/// leading zero byte when the high bit would otherwise be set (see ``Btwoc``).
public enum DiffieHellman {
    /// A prime modulus and a generator.
    public struct Group: Sendable, Hashable {
        /// The modulus p, big-endian unsigned.
        public let prime: [UInt8]
        /// The generator g, big-endian unsigned.
        public let generator: [UInt8]

        /// A group from big-endian unsigned bytes.
        public init(prime: [UInt8], generator: [UInt8]) {
            self.prime = Btwoc.stripLeadingZeros(prime)
            self.generator = Btwoc.stripLeadingZeros(generator)
        }

        /// OpenID 2.0's default group (appendix B): a 1024-bit prime, generator 2.
        public static let openIDDefault = Group(
            prime: hexBytes(
                "DCF93A0B883972EC0E19989AC5A2CE310E1D37717E8D9571BB7623731866E61E"
                    + "F75A2E27898B057F9891C2E27A639C3F29B60814581CD3B2CA3986D268370557"
                    + "7D45C2E7E52DC81C7A171876E5CEA74B1448BFDFAF18828EFD2519F14E45E382"
                    + "6634AF1949E5B535CC829A483B8A76223E5D490A257F05BDFF16F2FB22C583AB"),
            generator: [2])
    }

    /// One party's ephemeral key pair. The private exponent lives in a libcrypto BIGNUM
    /// that is cleared when the pair is released; it is never exposed.
    public final class KeyPair: @unchecked Sendable {
        // @unchecked: the BIGNUMs are written once in init and only read afterwards.
        private let privateExponent: OpaquePointer
        private let prime: OpaquePointer
        /// The group this pair belongs to.
        public let group: Group
        /// The public value g^x mod p, in btwoc form.
        public let publicKey: [UInt8]

        /// Draws a private exponent uniformly from [1, p-2] and computes the public value.
        public init(group: Group = .openIDDefault) throws {
            self.group = group
            guard let prime = BN_new(), let privateExponent = BN_secure_new() else {
                throw CryptoError.libcrypto("BN_new")
            }
            self.prime = prime
            self.privateExponent = privateExponent
            try setBytes(prime, group.prime)
            guard BN_num_bits(prime) >= 64 else {
                throw CryptoError.invalidParameter.with(message: "Diffie-Hellman modulus is too small")
            }
            let range = try BigNumber(copying: prime)
            try check(BN_sub_word(range.pointer, 2), "BN_sub_word")
            try check(BN_priv_rand_range(privateExponent, range.pointer), "BN_priv_rand_range")
            try check(BN_add_word(privateExponent, 1), "BN_add_word")
            BN_set_flags(privateExponent, BN_FLG_CONSTTIME)
            let generator = try BigNumber(bytes: group.generator)
            publicKey = try Self.modExp(base: generator.pointer, exponent: privateExponent, modulus: prime)
        }

        deinit {
            BN_clear_free(privateExponent)
            BN_free(prime)
        }

        /// The shared secret (peer public)^x mod p, in btwoc form.
        /// - Throws: `CryptoError.invalidPublicKey` unless 1 < peer < p - 1.
        public func sharedSecret(withPeerPublicKey peer: [UInt8]) throws -> [UInt8] {
            let value = try BigNumber(bytes: Btwoc.unsignedMagnitude(peer))
            let upper = try BigNumber(copying: prime)
            try check(BN_sub_word(upper.pointer, 1), "BN_sub_word")
            guard BN_cmp(value.pointer, BN_value_one()) > 0, BN_cmp(value.pointer, upper.pointer) < 0,
                  !Btwoc.isNegative(peer)
            else { throw CryptoError.invalidPublicKey }
            return try Self.modExp(base: value.pointer, exponent: privateExponent, modulus: prime)
        }

        private static func modExp(
            base: OpaquePointer, exponent: OpaquePointer, modulus: OpaquePointer
        ) throws -> [UInt8] {
            guard let bnContext = BN_CTX_secure_new() else { throw CryptoError.libcrypto("BN_CTX_new") }
            defer { BN_CTX_free(bnContext) }
            let result = try BigNumber()
            try check(BN_mod_exp(result.pointer, base, exponent, modulus, bnContext), "BN_mod_exp")
            var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(result.pointer) + 7) / 8))
            _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(result.pointer, $0.baseAddress) }
            return Btwoc.encode(unsignedBigEndian: bytes)
        }
    }
}

/// OpenID's `btwoc` encoding of non-negative integers.
public enum Btwoc {
    /// The btwoc form of a non-negative integer given as big-endian unsigned bytes.
    /// Zero encodes as a single zero byte.
    public static func encode(unsignedBigEndian bytes: [UInt8]) -> [UInt8] {
        let stripped = stripLeadingZeros(bytes)
        guard let first = stripped.first else { return [0] }
        return first & 0x80 != 0 ? [0] + stripped : stripped
    }

    /// The magnitude of a btwoc value as big-endian unsigned bytes (leading zeros removed).
    public static func unsignedMagnitude(_ bytes: [UInt8]) -> [UInt8] { stripLeadingZeros(bytes) }

    /// True when the btwoc value is negative (its high bit is set).
    public static func isNegative(_ bytes: [UInt8]) -> Bool { (bytes.first ?? 0) & 0x80 != 0 }

    static func stripLeadingZeros(_ bytes: [UInt8]) -> [UInt8] { Array(bytes.drop { $0 == 0 }) }
}

/// A BIGNUM freed with the value (clearing it, since some hold secrets).
private final class BigNumber {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = BN_new() else { throw CryptoError.libcrypto("BN_new") }
        self.pointer = pointer
    }

    convenience init(bytes: [UInt8]) throws {
        try self.init()
        try setBytes(pointer, bytes)
    }

    convenience init(copying other: OpaquePointer) throws {
        try self.init()
        guard BN_copy(pointer, other) != nil else { throw CryptoError.libcrypto("BN_copy") }
    }

    deinit { BN_clear_free(pointer) }
}

private func setBytes(_ number: OpaquePointer, _ bytes: [UInt8]) throws {
    guard bytes.count <= Int(Int32.max) else { throw CryptoError.invalidParameter }
    let result = bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress ?? nil, Int32($0.count), number) }
    guard result != nil else { throw CryptoError.libcrypto("BN_bin2bn") }
}

/// Bytes from a hexadecimal string of constant, trusted text (programmer error otherwise).
func hexBytes(_ hex: String) -> [UInt8] {
    guard let bytes = Hex.decode(hex) else { preconditionFailure("constant hex literal is not hex") }
    return bytes
}
