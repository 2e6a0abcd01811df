import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thread that waits on sockets: it runs `poll()` over every registered
/// non-blocking descriptor and resumes the task waiting for one when it becomes readable or
/// writable, or when its deadline passes. Sockets (`TCPConnection`, `TCPListener`,
/// `UDPSocket`) try their system call first and wait here only when it would block, so no
/// thread exists per connection or per question.
///
/// A wait that the task's cancellation ends throws ``NetworkError/cancelled(_:)``, not
/// `CancellationError`: socket APIs keep one typed error. A wake-up pipe tells the thread
/// about new waits and cancellations while it is inside `poll()`.
///
/// The thread starts with the first wait and lives as long as the poller (the shared one:
/// as long as the process).
public final class SocketPoller: Sendable {
    /// The poller every socket uses unless given another.
    public static let shared = SocketPoller()

    private let state: Mutex<PollerState>
    private let wakeReader: Int32
    private let wakeWriter: Int32

    /// A poller with its own thread (started on first use).
    public init() {
        var ends: [Int32] = [-1, -1]
        // Without a pipe (no descriptors left) the thread still works: it looks for new
        // waits every `fallbackSlice` instead of being woken.
        if pipe(&ends) != 0 { ends = [-1, -1] }
        for end in ends where end >= 0 {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeReader = ends[0]
        wakeWriter = ends[1]
        state = Mutex(PollerState())
    }

    /// Waits until `descriptor` can be read without blocking (or has an error or hang-up to
    /// report).
    /// - Throws: ``NetworkError/timedOut(_:)`` when `deadline` passes first,
    ///   ``NetworkError/cancelled(_:)`` when the task is cancelled.
    public func waitReadable(_ descriptor: Int32, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await wait(descriptor, events: Int16(POLLIN), deadline: deadline)
    }

    /// Waits until `descriptor` can be written without blocking (or a non-blocking
    /// `connect` finished), or has an error or hang-up to report.
    /// - Throws: ``NetworkError/timedOut(_:)`` when `deadline` passes first,
    ///   ``NetworkError/cancelled(_:)`` when the task is cancelled.
    public func waitWritable(_ descriptor: Int32, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await wait(descriptor, events: Int16(POLLOUT), deadline: deadline)
    }

    /// How many waits are registered now (for tests and metrics).
    public var waitingCount: Int { state.withLock { $0.waits.count } }

    /// Ends every wait on `descriptor` as if it were ready, so its waiters try their system
    /// call again and find the socket closed. Sockets call this when they close.
    package func wakeAll(on descriptor: Int32) {
        let woken: [PollWait] = state.withLock { state in
            let matching = state.waits.filter { $0.value.descriptor == descriptor }
            for key in matching.keys { state.waits[key] = nil }
            return matching.values.map(\.token)
        }
        for token in woken { token.finish(with: .ready) }
        if !woken.isEmpty { wake() }
    }

    /// Waits for `events` on `descriptor`; `afterRegistering` runs once the wait is in the
    /// poller's set (a socket checks there whether it was closed meanwhile).
    func wait(
        _ descriptor: Int32, events: Int16, deadline: ContinuousClock.Instant, afterRegistering: () -> Void = {}
    ) async throws(NetworkError) {
        let token = PollWait()
        let outcome: PollWait.Outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PollWait.Outcome, Never>) in
                guard token.arm(continuation) else { return }
                register(PollerState.Entry(descriptor: descriptor, events: events, deadline: deadline, token: token))
                afterRegistering()
            }
        } onCancel: {
            if token.finish(with: .cancelled) { forget(token) }
        }
        switch outcome {
        case .ready: return
        case .timedOut: throw NetworkError.timedOut("the deadline passed while waiting for the socket")
        case .cancelled: throw NetworkError.cancelled("the task waiting for the socket was cancelled")
        }
    }

    private func register(_ entry: PollerState.Entry) {
        let (startThread, mustWake) = state.withLock { state -> (Bool, Bool) in
            // A wait cancelled between arming and here was already forgotten: registering it
            // now would leave a dead entry polled until its deadline.
            guard entry.token.isArmed else { return (false, false) }
            state.waits[ObjectIdentifier(entry.token)] = entry
            let start = !state.threadStarted
            state.threadStarted = true
            // Only a thread inside poll() needs the pipe; one byte wakes it however many
            // waits arrive meanwhile.
            let wake = state.polling && !state.wakePending
            if wake { state.wakePending = true }
            return (start, wake)
        }
        if startThread {
            let thread = Thread { [self] in
                // Foundation passes a name to the system only when the thread sets its own.
                Thread.current.name = "socket-poller"
                run()
            }
            thread.start()
        } else if mustWake {
            wake()
        }
    }

    private func forget(_ token: PollWait) {
        let mustWake = state.withLock { state -> Bool in
            guard state.waits.removeValue(forKey: ObjectIdentifier(token)) != nil else { return false }
            let wake = state.polling && !state.wakePending
            if wake { state.wakePending = true }
            return wake
        }
        if mustWake { wake() }
    }

    private func wake() {
        guard wakeWriter >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// The thread's loop: snapshot the waits, poll, resume what is ready or late.
    private func run() {
        var descriptors: [pollfd] = []
        var tokens: [ObjectIdentifier] = []
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            descriptors.removeAll(keepingCapacity: true)
            tokens.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0))
            let nearest: ContinuousClock.Instant? = state.withLock { state in
                var nearest: ContinuousClock.Instant?
                for (key, entry) in state.waits {
                    descriptors.append(pollfd(fd: entry.descriptor, events: entry.events, revents: 0))
                    tokens.append(key)
                    nearest = min(nearest ?? entry.deadline, entry.deadline)
                }
                state.polling = true
                return nearest
            }
            var timeout = nearest.map { Self.milliseconds(until: $0) } ?? -1
            if wakeReader < 0, timeout < 0 || timeout > Self.fallbackSlice { timeout = Self.fallbackSlice }
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0, errno != EINTR {
                // Only EINVAL/ENOMEM can happen with a valid array: back off and try again.
                usleep(1000)
            }
            if descriptors[0].revents != 0 {
                while read(wakeReader, &drain, drain.count) > 0 {}
            }
            let now = ContinuousClock.now
            var finished: [(PollWait, PollWait.Outcome)] = []
            state.withLock { state in
                state.polling = false
                state.wakePending = false
                for (index, key) in tokens.enumerated() where descriptors[index + 1].revents != 0 {
                    if let entry = state.waits.removeValue(forKey: key) { finished.append((entry.token, .ready)) }
                }
                for (key, entry) in state.waits where entry.deadline <= now {
                    state.waits[key] = nil
                    finished.append((entry.token, .timedOut))
                }
            }
            for (token, outcome) in finished { token.finish(with: outcome) }
        }
    }

    /// How often a poller without a wake-up pipe looks for new waits, in milliseconds.
    private static let fallbackSlice: Int32 = 10

    /// Milliseconds from now until `deadline`, rounded up (so the thread never wakes early
    /// and spins), capped to what `poll()` takes.
    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

/// What the poller's thread and its callers share.
private struct PollerState {
    struct Entry {
        let descriptor: Int32
        let events: Int16
        let deadline: ContinuousClock.Instant
        let token: PollWait
    }

    var waits: [ObjectIdentifier: Entry] = [:]
    var threadStarted = false
    /// The thread is inside `poll()` (or about to be) with the snapshot it took.
    var polling = false
    /// A byte is in the wake-up pipe already.
    var wakePending = false
}
