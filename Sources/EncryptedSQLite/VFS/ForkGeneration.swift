import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many times this process's memory has been copied into a child by `fork()`, as the
/// child sees it: a `pthread_atfork` child handler adds one. ``PageCipher`` draws its nonce
/// reserve again when the count moved, so a forked child never reuses the parent's nonces,
/// even when it was given a pid the reserve's drawer once had.
enum ForkGeneration {
    private static let forks = Atomic<UInt64>(0)
    /// Registers the handler once, before the first reserve is drawn (a fork before that
    /// copies no reserve).
    private static let registered: Bool = pthread_atfork(nil, nil, { ForkGeneration.forks.add(1, ordering: .relaxed) }) == 0

    /// The current count.
    static var current: UInt64 {
        _ = registered
        return forks.load(ordering: .relaxed)
    }
}
