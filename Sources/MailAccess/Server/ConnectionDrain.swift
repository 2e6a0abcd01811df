import CommunityMailSystem
import Synchronization

/// A server's graceful shutdown as its sessions see it: ``beginClosing(gracePeriod:)``
/// interrupts every session waiting for a command (it answers that it is shutting down
/// and closes); a session busy with a command finishes it and asks ``isClosing`` before
/// it reads again. Streams still open at the grace deadline are closed.
final class ConnectionDrain: Sendable {
    private struct State {
        var closing = false
        var nextIdentifier = 0
        var streams: [Int: any ByteStream] = [:]
        var idleReads: [Int: Task<Result<[UInt8], NetworkError>, Never>] = [:]
        var hardClose: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Whether the server is shutting down.
    var isClosing: Bool { state.withLock { $0.closing } }

    /// Counts a session in; its identifier for the calls below.
    func register(_ stream: any ByteStream) -> Int {
        state.withLock { state in
            state.nextIdentifier += 1
            state.streams[state.nextIdentifier] = stream
            return state.nextIdentifier
        }
    }

    /// The session's stream changed (STLS).
    func update(_ session: Int, stream: any ByteStream) { state.withLock { $0.streams[session] = stream } }

    /// Counts a session out; the last one out during a shutdown stops the hard-close timer.
    func unregister(_ session: Int) {
        let timer = state.withLock { state -> Task<Void, Never>? in
            state.streams[session] = nil
            state.idleReads[session] = nil
            guard state.closing, state.streams.isEmpty else { return nil }
            defer { state.hardClose = nil }
            return state.hardClose
        }
        timer?.cancel()
    }

    /// A read between commands that the shutdown interrupts: the bytes, or nil when the
    /// server is shutting down.
    func readBetweenCommands(_ session: Int, from stream: any ByteStream, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8]? {
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

    /// Starts the shutdown (only the first call does anything).
    func beginClosing(gracePeriod: Duration) {
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
            let streams = state.withLock { Array($0.streams.values) }
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
