import Synchronization

/// A server's graceful shutdown as its sessions see it, for the line protocols' servers
/// (SMTP, IMAP, POP3). ``beginClosing(gracePeriod:onHardClose:)`` interrupts every
/// session waiting for a command (it answers that it is shutting down and closes); a
/// session busy with a command finishes it and asks ``isClosing`` before it reads again.
/// At the grace deadline, work run through ``runUntilHardClose(_:_:)`` is cancelled and
/// every stream still open is closed, so the server stops within the grace period.
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
        /// Sleeps until the grace deadline, then closes what is left.
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

    /// Counts a session in; its identifier for the calls below. A session accepted just
    /// before the shutdown and registered once no hard close is pending (it already
    /// happened, or every earlier session had left) has its stream closed at once: else a
    /// step before its first read (a TLS handshake, the greeting) could keep it past the
    /// grace period.
    package func register(_ stream: any ByteStream) -> Int {
        let (identifier, cut) = state.withLock { state in
            state.nextIdentifier += 1
            state.streams[state.nextIdentifier] = stream
            return (state.nextIdentifier, state.closing && (state.hardClosed || state.hardCloseTimer == nil))
        }
        if cut { Task { await stream.close() } }
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

    /// Starts the shutdown: interrupts the reads between commands and, unless no session
    /// is left, schedules the hard close after `gracePeriod`: `onHardClose`, then the
    /// cancellation of guarded work and the closing of every stream still registered.
    /// Only the first call does anything.
    package func beginClosing(gracePeriod: Duration, onHardClose: (@Sendable () -> Void)? = nil) {
        let reads = state.withLock { state -> [Task<Result<[UInt8], NetworkError>, Never>]? in
            guard !state.closing else { return nil }
            state.closing = true
            defer { state.idleReads = [:] }
            return Array(state.idleReads.values)
        }
        guard let reads else { return }
        for read in reads { read.cancel() }
        let timer = Task { [self] in
            try? await Task.sleep(for: gracePeriod)
            guard !Task.isCancelled else { return }
            onHardClose?()
            let (streams, work) = state.withLock { state in
                state.hardClosed = true
                return (Array(state.streams.values), Array(state.guardedWork.values))
            }
            for cancel in work { cancel() }
            for stream in streams { await stream.close() }
        }
        let idle = state.withLock { state -> Bool in
            guard !state.streams.isEmpty else { return true }
            state.hardCloseTimer = timer
            return false
        }
        if idle { timer.cancel() }
    }
}
