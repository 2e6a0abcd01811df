/// How `store` changes flags and keywords (IMAP STORE FLAGS, +FLAGS, -FLAGS).
public enum FlagOperation: Sendable, Hashable {
    /// Set these flags and keywords and clear all others.
    case replace(MessageFlags, keywords: [String] = [])
    /// Add these.
    case add(MessageFlags, keywords: [String] = [])
    /// Remove these.
    case remove(MessageFlags, keywords: [String] = [])
}
