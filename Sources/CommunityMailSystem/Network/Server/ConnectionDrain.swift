import Synchronization

/// A server's graceful shutdown as its sessions see it, for the line protocols' servers
/// (SMTP, IMAP, POP3). ``beginClosing(gracePeriod:onHardClose:)`` interrupts every
/// session waiting for a command (it answers that it is shutting down and closes); a
/// session busy with a command finishes it and asks ``isClosing`` before it reads again.
/// At the grace deadline, work run through ``runUntilHardClose(_:_:)`` is cancelled and
/// every stream still open is closed, so the server stops within the grace period; that
/// holds for a session accepted just before the shutdown and registered after it began.
package final class ConnectionDrain: Sendable {
    private struct State {
        var closing = false
        var nextIdentifier = 0
        /// Every session's current stream, for the hard close.
        var streams: [Int: any ByteStream] = [:]
        /// The read between commands of each session waiting for one.
        var idleReads: [Int: Task<Result<[UInt8], NetworkError>, Never>] = [:]
        /// How to cancel the work each session waits on (a relay), for the hard close.
        var guardedWork: [Int: @Sendable () -> Void] = [:]
        /// When the shutdown's grace period ends.
        var graceDeadline: ContinuousClock.Instant?
        /// What the hard close does first (the server's own part).
        var onHardClose: (@Sendable () -> Void)?
        /// Sleeps until the grace deadline, then closes what is left; nil while no session
        /// is registered.
        var hardCloseTimer: Task<Void, Never>?
        /// Whether the grace deadline passed with sessions left.
        var hardClosed = false
    }

    private let state = Mutex(State())

    /// A drain with no session and not closing.
    package init() {}

    /// Whether the server is shutting down.
    package var isClosing: Bool { state.withLock { $0.closing } }

    /// Whether the shutdown's grace deadline passed and cut sessions off.
    package var wasHardClosed: Bool { state.withLock { $0.hardClosed } }

    /// Counts a session in; its identifier for the calls below. A session registered
    /// during the shutdown (accepted just before it) is bound by the same grace deadline:
    /// else a step before its first read, such as a TLS handshake, could keep it past the
    /// grace period. After the hard close its stream is closed at once.
    package func register(_ stream: any ByteStream) -> Int {
        let (identifier, cut, needsTimer) = state.withLock { state in
            state.nextIdentifier += 1
            state.streams[state.nextIdentifier] = stream
            return (state.nextIdentifier, state.hardClosed, state.closing && !state.hardClosed && state.hardCloseTimer == nil)
        }
        if cut { Task { await stream.close() } }
        if needsTimer { scheduleHardClose() }
        return identifier
    }

    /// The session's stream changed (STARTTLS, STLS).
    package func update(_ session: Int, stream: any ByteStream) {
        state.withLock { $0.streams[session] = stream }
    }

    /// Counts a session out; the last one out during a shutdown stops the hard-close timer.
    package func unregister(_ session: Int) {
        let timer = state.withLock { state -> Task<Void, Never>? in
            state.streams[session] = nil
            state.idleReads[session] = nil
            state.guardedWork[session] = nil
            guard state.closing, state.streams.isEmpty else { return nil }
            defer { state.hardCloseTimer = nil }
            return state.hardCloseTimer
        }
        timer?.cancel()
    }

    /// A read between commands that the shutdown interrupts: the bytes, or nil when the
    /// server is shutting down (before the read or while it waited). Bytes that arrived
    /// before the interruption are returned, not lost.
    package func readBetweenCommands(
        _ session: Int, from stream: any ByteStream, deadline: ContinuousClock.Instant
    ) async throws(NetworkError) -> [UInt8]? {
        if isClosing { return nil }
        // Its own task, so the shutdown can cancel the read without cancelling the session.
        let read = Task(executorPreference: BlockingExecutor.shared) { () async -> Result<[UInt8], NetworkError> in
            do throws(NetworkError) {
                return .success(try await stream.read(maximumCount: 65_536, deadline: deadline))
            } catch {
                return .failure(error)
            }
        }
        let closing = state.withLock { state -> Bool in
            if !state.closing { state.idleReads[session] = read }
            return state.closing
        }
        if closing { read.cancel() }
        let result = await withTaskCancellationHandler { await read.value } onCancel: { read.cancel() }
        state.withLock { _ = $0.idleReads.removeValue(forKey: session) }
        switch result {
        case .success(let bytes): return bytes
        case .failure(let error) where error == .cancelled("") && isClosing: return nil
        case .failure(let error): throw error
        }
    }

    /// `work` for `session`, in a task of its own that the hard close cancels (the work is
    /// expected to answer a cancellation at once, e.g. a relay with deferrals).
    package func runUntilHardClose<Result: Sendable>(
        _ session: Int, _ work: @escaping @Sendable () async -> Result
    ) async -> Result {
        let task = Task { await work() }
        let cut = state.withLock { state -> Bool in
            if !state.hardClosed { state.guardedWork[session] = { task.cancel() } }
            return state.hardClosed
        }
        if cut { task.cancel() }
        let result = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        state.withLock { _ = $0.guardedWork.removeValue(forKey: session) }
        return result
    }

    /// Starts the shutdown: interrupts the reads between commands and, while sessions are
    /// registered, schedules the hard close after `gracePeriod`: `onHardClose`, then the
    /// cancellation of guarded work and the closing of every stream still registered.
    /// Only the first call does anything.
    package func beginClosing(gracePeriod: Duration, onHardClose: (@Sendable () -> Void)? = nil) {
        let deadline = ContinuousClock.now + gracePeriod
        let reads = state.withLock { state -> [Task<Result<[UInt8], NetworkError>, Never>]? in
            guard !state.closing else { return nil }
            state.closing = true
            state.graceDeadline = deadline
            state.onHardClose = onHardClose
            defer { state.idleReads = [:] }
            return Array(state.idleReads.values)
        }
        guard let reads else { return }
        for read in reads { read.cancel() }
        scheduleHardClose()
    }

    /// Starts the timer for the hard close at the grace deadline, unless no session is
    /// registered, one is already running, or the hard close happened.
    private func scheduleHardClose() {
        guard let deadline = state.withLock({ $0.graceDeadline }) else { return }
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            await hardClose()
        }
        let kept = state.withLock { state -> Bool in
            guard !state.streams.isEmpty, state.hardCloseTimer == nil, !state.hardClosed else { return false }
            state.hardCloseTimer = timer
            return true
        }
        if !kept { timer.cancel() }
    }

    /// The end of the grace period: the server's part, then the guarded work cancelled and
    /// every registered stream closed. Once only, and nothing when no session is left (a
    /// timer cancelled too late to stop it).
    private func hardClose() async {
        let cut = state.withLock { state -> (streams: [any ByteStream], work: [@Sendable () -> Void], hook: (@Sendable () -> Void)?)? in
            guard !state.streams.isEmpty, !state.hardClosed else { return nil }
            state.hardClosed = true
            return (Array(state.streams.values), Array(state.guardedWork.values), state.onHardClose)
        }
        guard let cut else { return }
        cut.hook?()
        for cancel in cut.work { cancel() }
        for stream in cut.streams { await stream.close() }
    }
}
