import Foundation
import Synchronization

/// Lets a checkpoint copy WAL frames to the database file as ciphertext.
///
/// A checkpoint reads each page from the WAL and writes the same bytes to the database
/// file. A frame's ciphertext is sealed with the page's own number and the database's
/// key, so it already is a valid database page: decrypting it on the way out of the WAL
/// and encrypting it again on the way into the database is work without a purpose, and
/// under an insert-heavy load it was most of the page crypto.
///
/// SQLite brackets the copying loop with `SQLITE_FCNTL_CKPT_START` and
/// `SQLITE_FCNTL_CKPT_DONE` on the database file, and runs the loop on one thread with
/// nothing else in between. Inside that bracket, and only on that thread, a WAL page read
/// checks the page's tag but hands SQLite the ciphertext (``offer(pageNumber:page:)``);
/// the database write that follows stores it unchanged when it is that page, recognised
/// by its number and its 32 reserved bytes (``take(pageNumber:page:)``), and is refused
/// when it is not (it would otherwise be encrypted a second time): a
/// plaintext page never carries a nonce and tag there (decrypting zeroes them), and a
/// page changed after the read would fail its tag when read, never decrypt to wrong data.
/// Anything else, including every read and write outside the bracket and checkpoints by
/// SQLite versions without the bracket (before 3.32), takes the full decrypt and encrypt.
///
/// One handoff serves every connection to the file (a database's writer and its readers share
/// one VFS instance), so only the thread that opened the bracket may offer into it or close
/// it: a reader's lock or unlock on another thread, in the middle of the writer's checkpoint,
/// would otherwise close the bracket between a frame's read (ciphertext handed to SQLite) and
/// its write, and that ciphertext would be encrypted a second time into the database.
final class CheckpointHandoff: Sendable {
    private struct State {
        /// The thread running the copying loop, between its start and done file controls.
        var thread: pthread_t?
        /// The salt of the database being checkpointed: a frame is only handed over as
        /// ciphertext when the WAL was sealed under the same salt (and so the same key).
        var salt: [UInt8] = []
        var offeredPage: UInt32 = 0
        var offeredCount = 0
        /// The offered page's nonce and tag.
        var offeredReserve = [UInt8](repeating: 0, count: PageCipher.reserveBytes)
    }

    private let state = Mutex(State())
    private let handedOver = Atomic<Int>(0)

    /// Pages a checkpoint has copied as ciphertext so far (for tests and diagnostics).
    var pagesHandedOver: Int { handedOver.load(ordering: .relaxed) }

    /// SQLite began copying frames into the database file on the calling thread.
    func checkpointStarted(salt: [UInt8]) {
        state.withLock { state in
            state.thread = pthread_self()
            state.salt = salt
            state.offeredCount = 0
        }
    }

    /// SQLite finished (or abandoned) the copying loop on the calling thread. Also called
    /// on the database file's sync, truncate, lock and unlock, none of which happen inside
    /// the loop: should a SQLite version ever skip the done signal, the bracket still closes
    /// there. A call from any other thread (another connection's lock or unlock) leaves the
    /// bracket alone.
    func checkpointFinished() {
        state.withLock { state in
            guard let thread = state.thread, pthread_equal(thread, pthread_self()) != 0 else { return }
            state.thread = nil
            state.offeredCount = 0
        }
    }

    /// True when the calling thread is inside a checkpoint's copying loop of a database
    /// with this `salt`.
    func isCopyingFrames(salt: [UInt8]) -> Bool {
        state.withLock { state in
            guard let thread = state.thread, pthread_equal(thread, pthread_self()) != 0 else { return false }
            return state.salt == salt
        }
    }

    /// Notes the authenticated ciphertext just handed to the checkpoint as `pageNumber`, on
    /// the thread copying frames (elsewhere it notes nothing).
    func offer(pageNumber: UInt32, page: UnsafeRawBufferPointer) {
        state.withLock { state in
            guard let thread = state.thread, pthread_equal(thread, pthread_self()) != 0 else { return }
            state.offeredPage = pageNumber
            state.offeredCount = page.count
            state.offeredReserve.withUnsafeMutableBytes { reserve in
                reserve.copyMemory(from: UnsafeRawBufferPointer(rebasing: page[(page.count - PageCipher.reserveBytes)...]))
            }
        }
    }

    /// What a database write on the checkpoint's thread is, against the offer before it.
    enum Write {
        /// Outside the bracket, or nothing offered: a plaintext page to encrypt.
        case notOffered
        /// Exactly the ciphertext offered for this page: to store as it is.
        case copiedFrame
        /// Ciphertext offered for another page (or changed since): to refuse. SQLite's
        /// WAL index chose the frame; only a damaged or altered `-shm` file points a page
        /// at a frame sealed for another.
        case mismatch
    }

    /// Classifies `page`, written as `pageNumber`; an offer is used up by the write that
    /// follows it, whatever that write is.
    func take(pageNumber: UInt32, page: UnsafeRawBufferPointer) -> Write {
        let outcome = state.withLock { state -> Write in
            guard let thread = state.thread, pthread_equal(thread, pthread_self()) != 0, state.offeredCount > 0 else {
                return .notOffered
            }
            defer { state.offeredCount = 0 }
            guard state.offeredCount == page.count, state.offeredPage == pageNumber, page.count > PageCipher.reserveBytes else {
                return .mismatch
            }
            let same = state.offeredReserve.withUnsafeBytes { reserve in
                memcmp(reserve.baseAddress!, page.baseAddress! + (page.count - PageCipher.reserveBytes), PageCipher.reserveBytes) == 0
            }
            return same ? .copiedFrame : .mismatch
        }
        if outcome == .copiedFrame { handedOver.add(1, ordering: .relaxed) }
        return outcome
    }
}
