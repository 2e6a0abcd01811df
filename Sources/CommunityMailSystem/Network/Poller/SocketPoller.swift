import Foundation
import Synchronization

#if canImport(Glibc)
import CommunityMailCSystem
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thread that waits on sockets: it runs `poll()` over every descriptor some task
/// waits on and resumes a waiting task when its descriptor becomes readable or writable,
/// or when its deadline passes. Sockets (`TCPConnection`, `TCPListener`, `UDPSocket`) try
/// their system call first and wait here only when it would block, so no thread exists per
/// connection or per question.
///
/// Waits on one descriptor share one `pollfd` (their events combined), so `poll()` never
/// gets more entries than descriptors being waited on plus its wake-up pipe: a reader and a
/// writer on each of many connections cannot push it past `RLIMIT_NOFILE` (where `poll()`
/// fails with `EINVAL`). Should `poll()` fail with `EINVAL` anyway, the waits it covered end
/// with ``NetworkError/limitReached(_:)``, never by hanging until their deadlines. A
/// passing shortage (`ENOMEM`, `EAGAIN`) fails no wait: the thread backs off (1 ms, doubling
/// up to 50 ms) and polls again, and the waits still end at their own deadlines.
///
/// A wait that the task's cancellation ends throws ``NetworkError/cancelled(_:)``, not
/// `CancellationError`: socket APIs keep one typed error. A wake-up pipe tells the thread
/// about new waits and cancellations while it is inside `poll()`.
///
/// The thread starts with the first wait and lives as long as the poller (the shared one:
/// as long as the process). A host may give a latency-sensitive listener a poller of its
/// own; waiting on raw descriptors is for this package's sockets only.
public final class SocketPoller: Sendable {
    /// The poller every socket uses unless given another.
    public static let shared = SocketPoller()

    private let state: Mutex<PollerState>
    private let wakeReader: Int32
    private let wakeWriter: Int32
    /// `poll()` itself; tests give one that fails.
    private let systemPoll: SystemPoll

    /// The signature of `poll()`.
    typealias SystemPoll = @Sendable (UnsafeMutablePointer<pollfd>, nfds_t, Int32) -> Int32

    /// A poller with its own thread (started on first use).
    public convenience init() {
        self.init(systemPoll: { poll($0, $1, $2) })
    }

    /// A poller that calls `systemPoll` instead of `poll()` (for tests of its failures).
    init(systemPoll: @escaping SystemPoll) {
        self.systemPoll = systemPoll
        var ends: [Int32] = [-1, -1]
        // Without a pipe (no descriptors left) the thread still works: it looks for new
        // waits every `fallbackSlice` instead of being woken.
        #if canImport(Darwin)
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        } else {
            ends = [-1, -1]
        }
        #else
        // Both flags in the call: a fork+exec on another thread never inherits the pipe.
        if communitymail_pipe_cloexec_nonblock(&ends) != 0 { ends = [-1, -1] }
        #endif
        wakeReader = ends[0]
        wakeWriter = ends[1]
        state = Mutex(PollerState())
    }

    /// Waits until `descriptor` can be read without blocking (or has an error or hang-up to
    /// report).
    /// - Throws: ``NetworkError/timedOut(_:)`` when `deadline` passes first,
    ///   ``NetworkError/cancelled(_:)`` when the task is cancelled,
    ///   ``NetworkError/limitReached(_:)`` (or another failure) when `poll()` fails.
    package func waitReadable(_ descriptor: Int32, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await wait(descriptor, events: Int16(POLLIN), deadline: deadline)
    }

    /// Waits until `descriptor` can be written without blocking (or a non-blocking
    /// `connect` finished), or has an error or hang-up to report.
    /// - Throws: as ``waitReadable(_:deadline:)``.
    package func waitWritable(_ descriptor: Int32, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await wait(descriptor, events: Int16(POLLOUT), deadline: deadline)
    }

    /// How many waits are registered now.
    package var waitingCount: Int { state.withLock { $0.waitCount } }

    /// How many descriptors the next `poll()` covers (not counting the wake-up pipe): one
    /// however many waits each has.
    package var polledDescriptorCount: Int { state.withLock { $0.waits.count } }

    /// Ends every wait on `descriptor` as if it were ready, so its waiters try their system
    /// call again and find the socket closed. Sockets call this when they close.
    package func wakeAll(on descriptor: Int32) {
        let woken = state.withLock { $0.removeAll(on: descriptor) }
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
                register(PollerState.Wait(events: events, deadline: deadline, token: token), on: descriptor)
                afterRegistering()
            }
        } onCancel: {
            if token.finish(with: .cancelled) { forget(token, on: descriptor) }
        }
        switch outcome {
        case .ready: return
        case .timedOut: throw NetworkError.timedOut("the deadline passed while waiting for the socket")
        case .cancelled: throw NetworkError.cancelled("the task waiting for the socket was cancelled")
        case .failed(let error): throw error
        }
    }

    private func register(_ wait: PollerState.Wait, on descriptor: Int32) {
        let (startThread, mustWake) = state.withLock { state -> (Bool, Bool) in
            // A wait cancelled between arming and here was already forgotten: registering it
            // now would leave a dead entry polled until its deadline.
            guard wait.token.isArmed else { return (false, false) }
            state.add(wait, on: descriptor)
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
                SignalMask.blockAsynchronousSignalsOnThisThread()
                // Foundation passes a name to the system only when the thread sets its own.
                Thread.current.name = "socket-poller"
                run()
            }
            thread.start()
        } else if mustWake {
            wake()
        }
    }

    private func forget(_ token: PollWait, on descriptor: Int32) {
        let mustWake = state.withLock { state -> Bool in
            guard state.remove(token, on: descriptor) else { return false }
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

    /// The thread's loop: snapshot the descriptors waited on, poll, resume what is ready,
    /// late or failed. Results apply only to the waits the snapshot covered (see
    /// ``PollerState``): a descriptor closed and reused meanwhile cannot pass a stale event
    /// to its new waits.
    private func run() {
        var descriptors: [pollfd] = []
        var drain = [UInt8](repeating: 0, count: 256)
        var backoff: Int32 = 0
        while true {
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0))
            let snapshot = state.withLock { state in
                state.polling = true
                return state.snapshot(into: &descriptors)
            }
            var timeout = snapshot.nearestDeadline.map { Self.milliseconds(until: $0) } ?? -1
            if wakeReader < 0, timeout < 0 || timeout > Self.fallbackSlice { timeout = Self.fallbackSlice }
            let (ready, number) = descriptors.withUnsafeMutableBufferPointer { buffer in
                let ready = systemPoll(buffer.baseAddress!, nfds_t(buffer.count), timeout)
                return (ready, ready < 0 ? errno : 0)
            }
            // A failed poll() leaves the array as it was: every revents is still 0.
            let retry = ready < 0 && (number == ENOMEM || number == EAGAIN)
            let failure: NetworkError? = ready < 0 && number != EINTR && !retry ? Self.pollFailure(errno: number) : nil
            if descriptors[0].revents != 0 {
                while read(wakeReader, &drain, drain.count) > 0 {}
            }
            let now = ContinuousClock.now
            let finished = state.withLock { state in
                state.polling = false
                state.wakePending = false
                return state.apply(descriptors.dropFirst(), of: snapshot, failure: failure, now: now)
            }
            for (token, outcome) in finished { token.finish(with: outcome) }
            if retry {
                // A shortage of kernel memory passes: wait a little (never past the nearest
                // deadline, which the next round ends) and poll again.
                backoff = min(max(1, backoff * 2), Self.maximumBackoff)
                let pause = min(backoff, snapshot.nearestDeadline.map { Self.milliseconds(until: $0) } ?? backoff)
                if pause > 0 { usleep(useconds_t(pause) * 1000) }
            } else {
                backoff = 0
            }
        }
    }

    /// The typed error for a `poll()` that failed with `number`.
    private static func pollFailure(errno number: Int32) -> NetworkError {
        switch number {
        case EINVAL:
            // The one EINVAL a valid array can get: more entries than RLIMIT_NOFILE allows.
            return .limitReached("poll(): more descriptors waited on than the process may open (RLIMIT_NOFILE)", errno: number)
        default:
            return .system("poll()", errno: number)
        }
    }

    /// The longest pause, in milliseconds, between `poll()`s that failed for want of memory.
    private static let maximumBackoff: Int32 = 50

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
