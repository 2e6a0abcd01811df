import CommunityMailCrypto

/// Key material in memory that is wiped when the last reference goes away.
///
/// Immutable after creation, so it may be shared between threads.
final class SecretBytes: @unchecked Sendable {
    /// The bytes; valid while `self` lives.
    let buffer: UnsafeMutableRawBufferPointer

    /// Copies `bytes` in; callers wipe their own copy.
    init<B: ContiguousBytesLike>(copying bytes: B) {
        buffer = bytes.withUnsafeBytes { source in
            let target = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
            let exact = UnsafeMutableRawBufferPointer(rebasing: target[0..<source.count])
            if source.count > 0 { exact.copyMemory(from: source) }
            return exact
        }
    }

    /// Takes `bytes` and wipes the array it came from.
    convenience init(consuming bytes: inout [UInt8]) {
        self.init(copying: bytes)
        SecureMemory.wipe(&bytes)
    }

    deinit {
        SecureMemory.wipe(buffer)
        buffer.deallocate()
    }

    /// Read-only view of the bytes.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }
}
