import Foundation

/// What `append` reports (for RFC 4315 APPENDUID).
public struct AppendedMessage: Sendable, Hashable {
    /// The folder's UIDVALIDITY.
    public var uidValidity: UInt32
    /// The new message's UID.
    public var uid: UInt32
    /// The new message's MODSEQ.
    public var modSeq: UInt64
}

/// What `copy` and `move` report (for RFC 4315 COPYUID): source and destination UIDs pair up by index.
public struct CopiedMessages: Sendable, Hashable {
    /// The destination folder's UIDVALIDITY.
    public var destinationUIDValidity: UInt32
    /// UIDs in the source folder, ascending.
    public var sourceUIDs: [UInt32]
    /// The new UIDs in the destination folder, in the same order.
    public var destinationUIDs: [UInt32]
}

/// How `store` changes flags and keywords (IMAP STORE FLAGS, +FLAGS, -FLAGS).
public enum FlagOperation: Sendable, Hashable {
    /// Set these flags and keywords and clear all others.
    case replace(MessageFlags, keywords: [String] = [])
    /// Add these.
    case add(MessageFlags, keywords: [String] = [])
    /// Remove these.
    case remove(MessageFlags, keywords: [String] = [])
}

/// One message's state after a change, as `store` and `changes(since:)` report it.
public struct MessageChange: Sendable, Hashable {
    /// The UID.
    public var uid: UInt32
    /// System flags now.
    public var flags: MessageFlags
    /// Keywords now, sorted.
    public var keywords: [String]
    /// The message's MODSEQ now.
    public var modSeq: UInt64

    /// A change from its parts.
    public init(uid: UInt32, flags: MessageFlags, keywords: [String], modSeq: UInt64) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.modSeq = modSeq
    }
}

/// What `store` did (RFC 7162 STORE with UNCHANGEDSINCE).
public struct StoreResult: Sendable, Hashable {
    /// Messages whose flags or keywords changed, with their new state and MODSEQ. Messages
    /// already in the asked-for state are not listed and keep their MODSEQ.
    public var changed: [MessageChange]
    /// UIDs left alone because their MODSEQ was above `unchangedSince` (the MODIFIED response code).
    public var modified: [UInt32]
}

/// Everything that changed in a folder after a MODSEQ (RFC 7162 CHANGEDSINCE, RFC 7162 QRESYNC VANISHED).
public struct FolderChanges: Sendable, Hashable {
    /// Messages added or whose flags changed, ascending by UID, with their current state.
    public var changed: [MessageChange]
    /// UIDs expunged (or moved away) after the MODSEQ, ascending.
    public var vanished: [UInt32]
    /// The folder's HIGHESTMODSEQ now.
    public var highestModSeq: UInt64
}
