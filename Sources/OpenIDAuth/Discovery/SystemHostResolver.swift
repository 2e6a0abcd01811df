public import CommunityMailSystem
public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves names with the system's `getaddrinfo`. The call blocks and cannot be cancelled,
/// so lookups run on a `BlockingExecutor` (the shared one unless another is given), never on
/// Swift's cooperative pool: at most ``Configuration/maximumConcurrentLookups`` at once, the
/// others wait in this resolver's queue, so lookups stuck on a silent DNS server cannot take
/// every executor thread from the stores that share it. Every
/// lookup has a deadline (``Configuration/lookupDeadline``) covering its wait and its run; a
/// caller past it is answered "did not resolve" while a running `getaddrinfo` finishes on its
/// thread, so a DNS server that never answers delays sign-ins naming it, not everyone's.
/// Positive answers are kept for ``Configuration/cacheLifetime`` (at most
/// ``Configuration/cacheCapacity`` names), so a provider in regular use needs no lookup.
///
/// Names are looked up as fully qualified (a trailing dot is added), so the system's search
/// list never turns a stranger's `intranet` into `intranet.corp.example`.
public final class SystemHostResolver: OpenIDHostResolver {
    /// The resolver's limits.
    public struct Configuration: Sendable {
        /// Lookups running at once, each holding one executor thread. Default: 4 (fewer
        /// than the shared executor's threads, which SQLite stores need too).
        public var maximumConcurrentLookups: Int = 4
        /// How long a caller waits for one lookup, queueing included. Default: 10 seconds.
        public var lookupDeadline: Duration = .seconds(10)
        /// How long a positive answer is reused. Default: 60 seconds (short, so a changed
        /// DNS answer is seen soon; zero turns the cache off).
        public var cacheLifetime: TimeInterval = 60
        /// The most names cached. Default: 1,024.
        public var cacheCapacity: Int = 1_024

        /// The defaults.
        public init() {}
    }

    /// The limits.
    public let configuration: Configuration
    private let lookUp: @Sendable (String) -> [String]?
    private let executor: BlockingExecutor
    private let state = Mutex(State())

    private struct State {
        var running = 0
        var queue: [Job] = []
        var cache: [String: (addresses: [String], expiresAt: Date)] = [:]
    }

    private struct Job {
        var name: String
        var pending: PendingLookup
    }

    /// A resolver with `configuration`'s limits whose lookups run on `executor`.
    /// - Parameter executor: where `getaddrinfo` runs. Default: `BlockingExecutor.shared`.
    public convenience init(configuration: Configuration = Configuration(), executor: BlockingExecutor = .shared) {
        self.init(configuration: configuration, executor: executor, lookUp: Self.getaddrinfoLookUp)
    }

    /// A resolver whose blocking lookup is `lookUp` (tests count and hold lookups with it).
    init(
        configuration: Configuration, executor: BlockingExecutor = .shared, lookUp: @escaping @Sendable (String) -> [String]?
    ) {
        var configuration = configuration
        configuration.maximumConcurrentLookups = max(1, configuration.maximumConcurrentLookups)
        configuration.cacheCapacity = max(0, configuration.cacheCapacity)
        self.configuration = configuration
        self.lookUp = lookUp
        self.executor = executor
    }

    /// The numeric addresses of `host`, IPv4 and IPv6.
    /// - Throws: ``OpenIDError/refusedURL`` when the name does not resolve before the deadline.
    public func addresses(of host: String) async throws(OpenIDError) -> [String] {
        let name = host.hasSuffix(".") ? host.lowercased() : host.lowercased() + "."
        let now = Date()
        if let cached = state.withLock({ $0.cache[name] }), cached.expiresAt > now { return cached.addresses }

        let result: [String]? = await withCheckedContinuation { continuation in
            let pending = PendingLookup(continuation)
            let deadline = configuration.lookupDeadline
            let timer = Task {
                try? await Task.sleep(for: deadline)
                pending.finish(nil)
            }
            pending.onFinish { timer.cancel() }
            let startWorker = state.withLock { state -> Bool in
                guard state.running < configuration.maximumConcurrentLookups else {
                    state.queue.append(Job(name: name, pending: pending))
                    return false
                }
                state.running += 1
                return true
            }
            if startWorker { self.startWorker(with: Job(name: name, pending: pending)) }
        }
        guard let result, !result.isEmpty else {
            throw OpenIDError.refusedURL.with(message: "a host name did not resolve")
        }
        return result
    }

    /// One executor job that runs `job`, then queued jobs until the queue is empty. Jobs
    /// whose caller gave up while queued are skipped. Nobody waits for the worker itself:
    /// each caller is answered through its `PendingLookup`, by the worker or its deadline.
    private func startWorker(with job: Job) {
        Task { await executor.run { self.drain(startingWith: job) } }
    }

    /// Blocking: looks up `job`'s name, then each queued one, until the queue is empty.
    private func drain(startingWith job: Job) {
        var next: Job? = job
        while let current = next {
            if !current.pending.isFinished {
                let answer = lookUp(current.name)
                if let answer, !answer.isEmpty { remember(answer, for: current.name) }
                current.pending.finish(answer)
            }
            next = state.withLock { state -> Job? in
                guard !state.queue.isEmpty else {
                    state.running -= 1
                    return nil
                }
                return state.queue.removeFirst()
            }
        }
    }

    private func remember(_ addresses: [String], for name: String) {
        guard configuration.cacheLifetime > 0, configuration.cacheCapacity > 0 else { return }
        let now = Date()
        state.withLock { state in
            if state.cache.count >= configuration.cacheCapacity {
                state.cache = state.cache.filter { $0.value.expiresAt > now }
                // Still full of fresh answers: start over rather than grow.
                if state.cache.count >= configuration.cacheCapacity { state.cache.removeAll() }
            }
            state.cache[name] = (addresses, now.addingTimeInterval(configuration.cacheLifetime))
        }
    }

    /// Blocking: getaddrinfo, then each address in numeric form.
    @Sendable private static func getaddrinfoLookUp(_ name: String) -> [String]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)  // an enum in Glibc
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &results) == 0, let first = results else { return nil }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            current = info.pointee.ai_next
        }
        return addresses
    }
}

/// A caller's continuation, resumed exactly once: by the lookup's answer or by its deadline,
/// whichever comes first.
private final class PendingLookup: Sendable {
    private let state: Mutex<(continuation: CheckedContinuation<[String]?, Never>?, onFinish: (@Sendable () -> Void)?)>

    init(_ continuation: CheckedContinuation<[String]?, Never>) {
        state = Mutex((continuation, nil))
    }

    var isFinished: Bool { state.withLock { $0.continuation == nil } }

    /// Runs `action` when the lookup finishes (at once if it already has).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let finished = state.withLock { state -> Bool in
            guard state.continuation != nil else { return true }
            state.onFinish = action
            return false
        }
        if finished { action() }
    }

    func finish(_ answer: [String]?) {
        let taken = state.withLock { state in
            let taken = (state.continuation, state.onFinish)
            state.continuation = nil
            state.onFinish = nil
            return taken
        }
        taken.0?.resume(returning: answer)
        if taken.0 != nil { taken.1?() }
    }
}
