/// When a store's commits reach stable storage: SQLite's `PRAGMA synchronous`, the one
/// durability setting every store in the package takes.
///
/// In write-ahead-log mode (every store's mode), a commit is atomic and consistent at every
/// level; the levels differ only in what a power loss or an operating-system crash may undo.
public enum Synchronous: String, Sendable, Hashable, CaseIterable {
    /// Never sync: fastest; a power loss may undo recent commits or damage the file. For
    /// scratch data only.
    case off = "OFF"
    /// Sync at checkpoints: durable across a crash of the process; a power loss may undo the
    /// commits since the last checkpoint, never damaging the file.
    case normal = "NORMAL"
    /// Sync every commit: a commit that returned survives a power loss.
    case full = "FULL"
}
