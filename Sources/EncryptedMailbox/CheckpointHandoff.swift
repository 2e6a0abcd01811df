import CommunityMailCrypto
import Foundation
import Synchronization

/// Lets a checkpoint copy a WAL frame's ciphertext to the database file as it is.
///
/// A checkpoint reads a page from the WAL (which the VFS decrypts) and writes the same
/// bytes to the database file (which the VFS would encrypt again). A frame's ciphertext is
/// sealed with the page's own number, so it already is a valid database page: when the
/// page written is exactly the plaintext just read, for the same page number, the stored
/// ciphertext is written instead, saving one encryption per checkpointed page.
final class CheckpointHandoff: Sendable {
    private struct State {
        var pageNumber: UInt32 = 0
        var count = 0
        var ready = false
        var ciphertext = [UInt8](repeating: 0, count: 65536)
        var plaintext = [UInt8](repeating: 0, count: 65536)
    }

    private let state = Mutex(State())

    deinit {
        state.withLock { state in
            state.plaintext.withUnsafeMutableBytes { SecureMemory.wipe($0) }
        }
    }

    /// Keeps a copy of a WAL page's stored bytes, before they are decrypted.
    func offer(ciphertext: UnsafeRawBufferPointer) {
        state.withLock { state in
            state.ready = false
            state.count = ciphertext.count
            state.ciphertext.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[0..<ciphertext.count]).copyMemory(from: ciphertext)
            }
        }
    }

    /// The page offered last passed its tag check and decrypted to `plaintext`.
    func confirm(pageNumber: UInt32, plaintext: UnsafeRawBufferPointer) {
        state.withLock { state in
            guard state.count == plaintext.count else { return }
            state.plaintext.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[0..<plaintext.count]).copyMemory(from: plaintext)
            }
            state.pageNumber = pageNumber
            state.ready = true
        }
    }

    /// Forgets the page offered last.
    func clear() {
        state.withLock { $0.ready = false }
    }

    /// Copies the stored ciphertext into `page` when `plaintext` is the page just read
    /// as `pageNumber` (and, for page 1, it carries the database's salt).
    /// - Returns: true when `page` now holds the bytes to write.
    func take(pageNumber: UInt32, plaintext: UnsafeRawBufferPointer, salt: [UInt8], into page: UnsafeMutableRawBufferPointer) -> Bool {
        state.withLock { state in
            guard state.ready, state.pageNumber == pageNumber, state.count == plaintext.count, page.count == plaintext.count else {
                return false
            }
            // Plain memcmp: both sides are plaintext this process already holds.
            let same = state.plaintext.withUnsafeBytes { stored in
                memcmp(stored.baseAddress!, plaintext.baseAddress!, plaintext.count) == 0
            }
            guard same else { return false }
            if pageNumber == 1 && Array(state.ciphertext[0..<salt.count]) != salt { return false }
            state.ready = false
            state.ciphertext.withUnsafeBytes { stored in
                page.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[0..<plaintext.count]))
            }
            return true
        }
    }
}
