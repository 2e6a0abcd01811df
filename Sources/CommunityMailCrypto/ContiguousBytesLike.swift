import Foundation

/// Bytes that can be read in place: `[UInt8]`, `ArraySlice<UInt8>`, `Data`, raw buffers.
///
/// A small protocol of our own so the crypto API takes all of them without copies and
/// without depending on Foundation's `ContiguousBytes` availability rules.
public protocol ContiguousBytesLike {
    /// Calls `body` with the bytes, valid only for the duration of the call.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytesLike where Element == UInt8 {}
extension ArraySlice: ContiguousBytesLike where Element == UInt8 {}
extension Data: ContiguousBytesLike {}
extension UnsafeRawBufferPointer: ContiguousBytesLike {
    /// Calls `body` with `self`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(self)
    }
}
extension UnsafeMutableRawBufferPointer: ContiguousBytesLike {
    /// Calls `body` with `self`, read-only.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(self))
    }
}
extension String.UTF8View: ContiguousBytesLike {
    /// Calls `body` with the UTF-8 bytes (copied once if the string is not contiguous UTF-8).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return try Array(self).withUnsafeBytes(body)
    }
}

extension UnsafeRawBufferPointer {
    /// A base address that is never nil: libcrypto rejects NULL even for zero lengths.
    var nonNullBase: UnsafeRawPointer {
        if let base = baseAddress { return base }
        return UnsafeRawPointer(emptyByte)
    }
}

/// One byte of static storage that empty inputs point at.
nonisolated(unsafe) private let emptyByte = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
