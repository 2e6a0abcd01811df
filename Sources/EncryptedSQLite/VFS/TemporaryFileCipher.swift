import CommunityMailCrypto

/// Encrypts SQLite's temporary files (sort runs, temp tables, statement journals) with a
/// key and nonce drawn when the file is opened and never stored: the file is unreadable
/// once closed. ChaCha20 keystream is addressed by byte offset, so any write lands anywhere.
///
/// Rewriting the same offset reuses keystream; temporary files are deleted on close, and
/// their confidentiality against someone who copies two versions of one is not claimed.
final class TemporaryFileCipher {
    private let key: SecretBytes
    private let nonce: [UInt8]
    private let chacha: ChaCha20.Context
    private var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)

    init() throws {
        var keyBytes = try SecureRandom.bytes(32)
        key = SecretBytes(consuming: &keyBytes)
        nonce = try SecureRandom.bytes(12)
        chacha = try ChaCha20.Context()
    }

    deinit {
        SecureMemory.wipe(scratch)
        scratch.deallocate()
    }

    /// XORs `bytes` (which sit at file offset `offset`) with the file's keystream, in place.
    func apply(_ bytes: UnsafeMutableRawBufferPointer, offset: Int64) throws {
        guard bytes.count > 0 else { return }
        let skip = Int(offset % 64)
        let block = offset / 64
        guard block + Int64((skip + bytes.count + 63) / 64) <= Int64(UInt32.max) else {
            throw CryptoError.invalidParameter
        }
        let needed = skip + bytes.count
        if scratch.count < needed {
            SecureMemory.wipe(scratch)
            scratch.deallocate()
            scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(needed, 65536), alignment: 16)
        }
        let window = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<needed])
        window.initializeMemory(as: UInt8.self, repeating: 0)
        UnsafeMutableRawBufferPointer(rebasing: window[skip..<needed]).copyMemory(from: UnsafeRawBufferPointer(bytes))
        try chacha.apply(key: key.bytes, nonce: nonce, counter: UInt32(block), input: UnsafeRawBufferPointer(window), output: window)
        bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: window[skip..<needed]))
    }
}
