import Synchronization

/// A stub resolver: sends each question to the configured name servers over UDP (TCP
/// when the reply is truncated), checks that replies really answer it (RFC 5452), and
/// follows CNAME chains.
///
/// Each try uses a fresh socket on a random source port and a random 16-bit id. Servers
/// are tried in order (or rotated), `attempts` rounds, each try bounded by `timeout` and
/// the whole lookup by `overallTimeout`. EDNS(0) advertises a 1232-byte buffer; a server
/// that answers FORMERR is asked again without it. SERVFAIL and REFUSED move on to the
/// next server; when every server fails, the last definite failure is reported.
public final class DNSStubResolver: DNSResolver {
    /// How the resolver asks.
    public struct Configuration: Sendable, Hashable {
        /// The servers, tried in this order. Default: none (``init(configuration:cache:)``
        /// refuses an empty list; ``parse(resolvConf:)`` falls back to 127.0.0.1).
        public var nameservers: [DNSNameserver] = []
        /// How long one try waits for a reply. Default: 5 s (resolv.conf's default).
        public var timeout: Duration = .seconds(5)
        /// Rounds over all servers. Default: 2 (resolv.conf's default).
        public var attempts = 2
        /// Start each lookup at the next server instead of the first. Default: false.
        public var rotate = false
        /// The most time one lookup takes, all tries and CNAME steps included. Default: 30 s.
        public var overallTimeout: Duration = .seconds(30)
        /// The EDNS(0) UDP payload size advertised, or nil for no EDNS. Default: 1232.
        public var ednsPayloadSize: UInt16? = DNSMessage.recommendedPayloadSize
        /// Ask servers to recurse (RD). Default: true (a stub talks to recursive servers).
        public var recursionDesired = true
        /// The most CNAMEs followed from one name. Default: 8.
        public var maximumAliases = 8

        /// The defaults above.
        public init() {}

        /// A configuration with `nameservers` and the other defaults.
        public init(nameservers: [DNSNameserver]) { self.nameservers = nameservers }
    }

    /// How this resolver asks.
    public let configuration: Configuration
    private let cache: DNSCache?
    private let rotation = Atomic<UInt>(0)

    /// A resolver; with a `cache`, results are kept for their TTLs.
    /// - Throws: ``DNSError/invalidConfiguration`` without servers, or with a timeout or
    ///   attempt count that is not positive.
    public init(configuration: Configuration, cache: DNSCache? = nil) throws(DNSError) {
        guard !configuration.nameservers.isEmpty else {
            throw DNSError.invalidConfiguration.with(message: "the resolver has no name servers")
        }
        guard configuration.attempts > 0, configuration.timeout > .zero, configuration.overallTimeout > .zero,
              configuration.maximumAliases >= 0
        else {
            throw DNSError.invalidConfiguration.with(message: "timeouts and attempts must be positive")
        }
        if let size = configuration.ednsPayloadSize, size < 512 {
            throw DNSError.invalidConfiguration.with(message: "an EDNS payload size below 512 bytes is not allowed")
        }
        self.configuration = configuration
        self.cache = cache
    }

    /// A resolver configured from a resolv.conf file (`/etc/resolv.conf` unless told).
    /// - Throws: ``DNSError/invalidConfiguration`` when the file cannot be read.
    public convenience init(resolvConfPath: String = "/etc/resolv.conf", cache: DNSCache? = nil) throws(DNSError) {
        try self.init(configuration: try Configuration.load(resolvConfPath: resolvConfPath), cache: cache)
    }

    /// Looks `question` up; see ``DNSResolver/resolve(_:)``.
    public func resolve(_ question: DNSQuestion) async -> DNSResult {
        let deadline = ContinuousClock.now + configuration.overallTimeout
        return await DNSResolution.resolve(question, maximumAliases: configuration.maximumAliases, cache: cache) { step in
            await self.exchange(step, deadline: deadline)
        }
    }

    /// Asks the servers about one question (no CNAME following), returning the reply or
    /// why none came.
    ///
    /// Waits for replies on the system layer's socket poller (no thread per question);
    /// cancelling the task ends the wait at once and sends no further try.
    func exchange(_ question: DNSQuestion, deadline: ContinuousClock.Instant) async -> DNSExchange {
        var servers = configuration.nameservers
        if configuration.rotate, servers.count > 1 {
            let start = Int(rotation.add(1, ordering: .relaxed).oldValue % UInt(servers.count))
            servers = Array(servers[start...] + servers[..<start])
        }
        return await Self.exchange(question, servers: servers, configuration: configuration, deadline: deadline)
    }

    private static func exchange(
        _ question: DNSQuestion, servers: [DNSNameserver], configuration: Configuration, deadline: ContinuousClock.Instant
    ) async -> DNSExchange {
        var lastReply: DNSMessage?
        var lastFailure: (status: DNSResult.Status, detail: String) = (.timeout, "the overall deadline passed")
        var notes: [String] = []
        for _ in 0..<configuration.attempts {
            for server in servers {
                guard !Task.isCancelled else { return finish(lastReply, lastFailure, notes + ["the lookup was cancelled"]) }
                guard ContinuousClock.now < deadline else {
                    return finish(lastReply, lastFailure, notes + ["the overall deadline passed"])
                }
                let outcome = await exchange(question, server: server, configuration: configuration, deadline: deadline)
                switch outcome {
                case .response(let reply):
                    switch reply.responseCode {
                    case .serverFailure, .refused, .formatError, .notImplemented:
                        // Another server may do better (as the C library's resolver does).
                        lastReply = reply
                        notes.append("\(server) answered \(reply.responseCode)")
                    default:
                        return outcome
                    }
                case .failure(let status, let detail):
                    lastFailure = (status, detail)
                    notes.append(detail)
                }
            }
        }
        return finish(lastReply, lastFailure, notes)
    }

    private static func finish(_ reply: DNSMessage?, _ failure: (status: DNSResult.Status, detail: String), _ notes: [String]) -> DNSExchange {
        if let reply { return .response(reply) }
        return .failure(failure.status, notes.isEmpty ? failure.detail : notes.joined(separator: "; "))
    }

    /// One try at one server: UDP, again without EDNS on FORMERR, then TCP if truncated,
    /// each step with its own `timeout`. A cancelled task sends no further step.
    private static func exchange(
        _ question: DNSQuestion, server: DNSNameserver, configuration: Configuration, deadline: ContinuousClock.Instant
    ) async -> DNSExchange {
        func send(payloadSize: UInt16?, overTCP: Bool) async -> DNSExchange {
            await Self.send(question, server: server, configuration: configuration, payloadSize: payloadSize, overTCP: overTCP,
                            deadline: deadline)
        }
        var payloadSize = configuration.ednsPayloadSize
        var outcome = await send(payloadSize: payloadSize, overTCP: false)
        if case .response(let reply) = outcome, payloadSize != nil, reply.responseCode == .formatError, !Task.isCancelled {
            payloadSize = nil
            outcome = await send(payloadSize: nil, overTCP: false)
        }
        if case .response(let reply) = outcome, reply.header.isTruncated, !Task.isCancelled {
            outcome = await send(payloadSize: payloadSize, overTCP: true)
        }
        return outcome
    }

    /// One query, a fresh id: it waits until the reply, the per-try timeout or `deadline`,
    /// whichever comes first.
    static func send(
        _ question: DNSQuestion, server: DNSNameserver, configuration: Configuration, payloadSize: UInt16?, overTCP: Bool,
        deadline: ContinuousClock.Instant
    ) async -> DNSExchange {
        let tryDeadline = min(ContinuousClock.now + configuration.timeout, deadline)
        var generator = SystemRandomNumberGenerator()
        let query = DNSMessage.query(id: UInt16.random(in: .min ... .max, using: &generator), question: question,
                                     payloadSize: payloadSize, recursionDesired: configuration.recursionDesired)
        return overTCP
            ? await DNSSocketTransport.tcp(query, to: server, deadline: tryDeadline)
            : await DNSSocketTransport.udp(query, to: server, deadline: tryDeadline)
    }
}
