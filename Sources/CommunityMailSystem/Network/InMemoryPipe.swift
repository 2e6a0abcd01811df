import Synchronization

/// One direction of an ``InMemoryByteStream`` pair: a bounded byte buffer with one
/// waiting reader and one waiting writer at most.
final class InMemoryPipe: Sendable {
    private struct Waiter {
        var token: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var buffer: [UInt8] = []
        /// The writing end closed: reads drain the buffer, then see the end of the stream.
        var writingSideClosed = false
        /// The reading end closed: writes fail, buffered bytes are dropped.
        var readingSideClosed = false
        var reader: Waiter?
        var writer: Waiter?
        var nextToken: UInt64 = 0
        /// Counts every change a waiter could be waiting for.
        var version: UInt64 = 0
    }

    private enum Attempt<Value: Sendable>: Sendable {
        case done(Value)
        case failed(NetworkError)
        case waiting
    }

    private enum Role {
        case reader, writer

        var opposite: Role { self == .reader ? .writer : .reader }
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        while true {
            let attempt: Attempt<[UInt8]> = await wait(as: .reader, deadline: deadline) { state in
                if state.readingSideClosed { return .failed(.closed("read from a closed stream")) }
                if !state.buffer.isEmpty {
                    let count = min(maximumCount, state.buffer.count)
                    let bytes = Array(state.buffer[..<count])
                    state.buffer.removeFirst(count)
                    return .done(bytes)
                }
                if state.writingSideClosed { return .done([]) }
                return .waiting
            }
            switch attempt {
            case .done(let bytes): return bytes
            case .failed(let error): throw error
            case .waiting:
                if Task.isCancelled { throw .cancelled("the read was cancelled") }
                if ContinuousClock.now >= deadline { throw .timedOut("nothing arrived before the deadline") }
            }
        }
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        // Nothing to send: done at once, as a socket's zero-byte send is (a full buffer
        // would otherwise make it wait).
        guard !bytes.isEmpty else { return }
        var offset = 0
        repeat {
            let start = offset
            let attempt: Attempt<Int> = await wait(as: .writer, deadline: deadline) { state in
                if state.writingSideClosed { return .failed(.closed("write to a closed stream")) }
                if state.readingSideClosed { return .failed(.connectionReset("the other end closed the stream")) }
                let room = self.capacity - state.buffer.count
                guard room > 0 else { return .waiting }
                let count = min(room, bytes.count - start)
                state.buffer.append(contentsOf: bytes[start..<(start + count)])
                return .done(count)
            }
            switch attempt {
            case .done(let count): offset += count
            case .failed(let error): throw error
            case .waiting:
                if Task.isCancelled { throw .cancelled("the write was cancelled") }
                if ContinuousClock.now >= deadline { throw .timedOut("the other end did not read before the deadline") }
            }
        } while offset < bytes.count
    }

    func closeWritingSide() {
        let waiters = state.withLock { state in
            state.writingSideClosed = true
            state.version &+= 1
            return Self.takeWaiters(&state)
        }
        waiters.forEach { $0.resume() }
    }

    func closeReadingSide() {
        let waiters = state.withLock { state in
            state.readingSideClosed = true
            state.buffer = []
            state.version &+= 1
            return Self.takeWaiters(&state)
        }
        waiters.forEach { $0.resume() }
    }

    private static func takeWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let waiters = [state.reader?.continuation, state.writer?.continuation].compactMap { $0 }
        state.reader = nil
        state.writer = nil
        return waiters
    }

    /// Runs `attempt` under the lock; when it says `.waiting`, suspends until the other
    /// side changes the pipe, the deadline passes or the task is cancelled, and answers
    /// `.waiting` so the caller tries again. Progress wakes the opposite side.
    private func wait<Value: Sendable>(
        as role: Role, deadline: ContinuousClock.Instant,
        _ attempt: @escaping @Sendable (inout State) -> Attempt<Value>
    ) async -> Attempt<Value> {
        let (result, opposite, version) = state.withLock { state in
            let result = attempt(&state)
            guard case .done = result else { return (result, nil as CheckedContinuation<Void, Never>?, state.version) }
            state.version &+= 1
            return (result, Self.takeWaiter(of: role.opposite, from: &state), state.version)
        }
        opposite?.resume()
        guard case .waiting = result else { return result }
        if Task.isCancelled || ContinuousClock.now >= deadline { return .waiting }

        let token = state.withLock { state in
            state.nextToken &+= 1
            return state.nextToken
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            self?.wake(role, token: token)
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { state -> Bool in
                    // Anything that happened since the attempt is a reason to look again; so
                    // is a deadline already past (its timer may have fired before this wait
                    // was registered, and would not fire again).
                    guard state.version == version, !Task.isCancelled, ContinuousClock.now < deadline else { return false }
                    let waiter = Waiter(token: token, continuation: continuation)
                    switch role {
                    case .reader: state.reader = waiter
                    case .writer: state.writer = waiter
                    }
                    return true
                }
                if !registered { continuation.resume() }
            }
        } onCancel: {
            self.wake(role, token: token)
        }
        return .waiting
    }

    private static func takeWaiter(of role: Role, from state: inout State) -> CheckedContinuation<Void, Never>? {
        switch role {
        case .reader:
            defer { state.reader = nil }
            return state.reader?.continuation
        case .writer:
            defer { state.writer = nil }
            return state.writer?.continuation
        }
    }

    private func wake(_ role: Role, token: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch role {
            case .reader:
                guard let waiter = state.reader, waiter.token == token else { return nil }
                state.reader = nil
                return waiter.continuation
            case .writer:
                guard let waiter = state.writer, waiter.token == token else { return nil }
                state.writer = nil
                return waiter.continuation
            }
        }
        continuation?.resume()
    }
}
