import EncryptedMailbox

/// The untagged updates an ``IMAPMessageSequence`` hands the session to send, in order.
struct IMAPSequenceUpdates: Sendable {
    /// Removed messages, each with the MSN it has when its `* n EXPUNGE` is sent (or its
    /// UID for `* VANISHED`).
    var expunged: [(sequenceNumber: UInt32, uid: UInt32)] = []
    /// The new message count for `* n EXISTS`, when messages were added.
    var exists: UInt32?
    /// Flag changes made elsewhere, with the message's MSN after the removals and additions.
    var flagChanges: [(sequenceNumber: UInt32, change: MessageChange)] = []

    /// True when there is nothing to send.
    var isEmpty: Bool { expunged.isEmpty && exists == nil && flagChanges.isEmpty }
}

/// Why a set of message sequence numbers cannot be used.
enum IMAPSequenceSetError: Error, Sendable, Hashable {
    /// A number is above the number of messages the client knows.
    case outOfRange
}
