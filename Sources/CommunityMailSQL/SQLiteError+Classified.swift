import CommunityMailSystem

extension SQLiteError: ClassifiedError {
    /// True when another connection held the database past the busy timeout: the same
    /// statement may succeed once it lets go. Every other SQLite failure repeats.
    public var isTransient: Bool { self == .busy }
}
