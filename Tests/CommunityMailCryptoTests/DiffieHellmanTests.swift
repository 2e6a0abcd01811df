import CommunityMailCrypto
import Testing

@Suite("Diffie-Hellman over OpenID's default group, btwoc, random, constant time")
struct DiffieHellmanTests {
    @Test("Two parties agree on a secret; a third does not share it")
    func agreement() throws {
        let alice = try DiffieHellman.KeyPair()
        let bob = try DiffieHellman.KeyPair()
        let eve = try DiffieHellman.KeyPair()
        let ab = try alice.sharedSecret(withPeerPublicKey: bob.publicKey)
        let ba = try bob.sharedSecret(withPeerPublicKey: alice.publicKey)
        #expect(ab == ba)
        #expect(ab != (try eve.sharedSecret(withPeerPublicKey: alice.publicKey)))
        #expect(alice.publicKey != bob.publicKey)
        // Public values are at most 1024 bits plus btwoc's sign byte.
        #expect(alice.publicKey.count <= 129)
        #expect(!Btwoc.isNegative(alice.publicKey))
    }

    @Test("The default modulus is OpenID's 1024-bit prime with generator 2")
    func defaultGroup() {
        let group = DiffieHellman.Group.openIDDefault
        #expect(group.prime.count == 128)
        #expect(group.prime.first == 0xdc && group.prime.last == 0xab)
        #expect(group.generator == [2])
    }

    @Test("Peer values outside the group are refused")
    func invalidPeer() throws {
        let pair = try DiffieHellman.KeyPair()
        let p = DiffieHellman.Group.openIDDefault.prime
        var pMinusOne = p
        pMinusOne[pMinusOne.count - 1] -= 1
        for bad in [[0], [1], Btwoc.encode(unsignedBigEndian: pMinusOne), Btwoc.encode(unsignedBigEndian: p), [0x80, 1]] {
            #expect(throws: CryptoError.invalidPublicKey) { try pair.sharedSecret(withPeerPublicKey: bad) }
        }
    }

    @Test("btwoc follows the OpenID 2.0 examples", arguments: [
        ([UInt8](), [UInt8]([0])), ([0], [0]), ([127], [127]), ([128], [0, 128]), ([255], [0, 255]),
        ([1, 0], [1, 0]), ([0, 0, 1, 0], [1, 0]),
    ])
    func btwoc(input: [UInt8], expected: [UInt8]) {
        #expect(Btwoc.encode(unsignedBigEndian: input) == expected)
    }

    @Test("Random bytes differ between calls; constant-time equality")
    func randomAndCompare() throws {
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
        #expect(ConstantTime.equals(a, a))
        #expect(!ConstantTime.equals(a, b))
        #expect(!ConstantTime.equals(a, a.dropLast()))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        var secret = a
        SecureMemory.wipe(&secret)
        #expect(secret == [UInt8](repeating: 0, count: 32))
    }

    @Test("Hex round trip and rejection of non-hex")
    func hexText() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
