import CommunityMailSystem
import Synchronization

/// The server's graceful shutdown as its sessions see it. ``ForwarderServer/close()`` marks
/// it closing and ends every read between commands at once, so those sessions answer
/// 421 4.3.2 and close; a session receiving a message or waiting on its relay is left alone
/// and asks ``isClosing`` once it has answered the message. At the grace deadline every
/// stream still open is closed and every relay still running is cancelled (the hard close),
/// so the server stops within the grace period whatever its next hops do.
final class SessionDrain: Sendable {
    private struct State {
        var closing = false
        var nextIdentifier = 0
        /// The read between commands of each session waiting for one.
        var idleReads: [Int: Task<Result<[UInt8], NetworkError>, Never>] = [:]
        /// Every session's current stream, for the hard close.
        var streams: [Int: any ByteStream] = [:]
        /// The relay each session waits on, for the hard close to cancel.
        var relays: [Int: Task<RelayOutcome, Never>] = [:]
        /// Sleeps until the grace deadline, then closes what is left.
        var hardClose: Task<Void, Never>?
        /// Whether the grace deadline passed with sessions left.
        var hardClosed = false
    }

    private let state = Mutex(State())

    /// Whether the server is shutting down.
    var isClosing: Bool { state.withLock { $0.closing } }

    /// Whether the shutdown's grace deadline passed and cut sessions off.
    var wasHardClosed: Bool { state.withLock { $0.hardClosed } }

    /// `relay` for `session`, in a task of its own that the hard close cancels (a hop
    /// answers a cancellation at once, with deferrals for what it had not finished).
    func relay(_ session: Int, _ relay: @escaping @Sendable () async -> RelayOutcome) async -> RelayOutcome {
        let task = Task { await relay() }
        let cut = state.withLock { state -> Bool in
            if !state.hardClosed { state.relays[session] = task }
            return state.hardClosed
        }
        if cut { task.cancel() }
        let outcome = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        state.withLock { _ = $0.relays.removeValue(forKey: session) }
        return outcome
    }

    /// Counts a session in; its identifier for the calls below.
    func register(_ stream: any ByteStream) -> Int {
        state.withLock { state in
            state.nextIdentifier += 1
            state.streams[state.nextIdentifier] = stream
            return state.nextIdentifier
        }
    }

    /// The session's stream changed (STARTTLS).
    func update(_ session: Int, stream: any ByteStream) {
        state.withLock { $0.streams[session] = stream }
    }

    /// Counts a session out; the last one out during a shutdown stops the hard-close timer.
    func unregister(_ session: Int) {
        let timer = state.withLock { state -> Task<Void, Never>? in
            state.streams[session] = nil
            state.idleReads[session] = nil
            state.relays[session] = nil
            guard state.closing, state.streams.isEmpty else { return nil }
            defer { state.hardClose = nil }
            return state.hardClose
        }
        timer?.cancel()
    }

    /// A read between commands that the shutdown interrupts: the bytes, or nil when the
    /// server is shutting down (before the read or while it waited). Bytes that arrived
    /// before the interruption are returned, not lost.
    func readBetweenCommands(
        _ session: Int, from stream: any ByteStream, deadline: ContinuousClock.Instant
    ) async throws(NetworkError) -> [UInt8]? {
        if isClosing { return nil }
        // Its own task, so close() can cancel the read without cancelling the session.
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
        let result = await withTaskCancellationHandler {
            await read.value
        } onCancel: {
            read.cancel()
        }
        state.withLock { _ = $0.idleReads.removeValue(forKey: session) }
        switch result {
        case .success(let bytes):
            return bytes
        case .failure(let error) where error == .cancelled("") && isClosing:
            return nil
        case .failure(let error):
            throw error
        }
    }

    /// Starts the shutdown: interrupts the reads between commands and, unless no session is
    /// left, schedules `hardClose` (and the closing of every stream still registered) after
    /// `gracePeriod`. Only the first call does anything.
    func beginClosing(gracePeriod: Duration, hardClose: @escaping @Sendable () -> Void) {
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
            hardClose()
            let (streams, relays) = state.withLock { state in
                state.hardClosed = true
                return (Array(state.streams.values), Array(state.relays.values))
            }
            for relay in relays { relay.cancel() }
            for stream in streams { await stream.close() }
        }
        let idle = state.withLock { state -> Bool in
            guard !state.streams.isEmpty else { return true }
            state.hardClose = timer
            return false
        }
        if idle { timer.cancel() }
    }
}
