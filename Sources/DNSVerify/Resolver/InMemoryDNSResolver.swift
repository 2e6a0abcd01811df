import Synchronization

/// An in-memory ``DNSResolver`` for tests and host apps: zones of records, answered the
/// way an authoritative server answers (CNAME chains, NODATA versus NXDOMAIN with the
/// zone's SOA, REFUSED outside its zones), plus scripted transient failures.
///
/// It enforces what a real server's zone loader enforces: records only inside a zone,
/// no CNAME beside other data, character-strings of at most 255 bytes. Its replies go
/// through the same CNAME-following and caching code as ``DNSStubResolver``'s.
public final class InMemoryDNSResolver: DNSResolver {
    /// How the fake behaves.
    public struct Configuration: Sendable {
        /// The most CNAMEs followed from one name. Default: 8 (as ``DNSStubResolver``).
        public var maximumAliases = 8
        /// The defaults above.
        public init() {}
    }

    private struct Zone {
        var origin: DNSName
        var soa: DNSRecord
    }

    private struct ScriptedFailure {
        var name: DNSName
        var type: DNSRecordType?
        var status: DNSResult.Status
        var remaining: Int
    }

    private struct State {
        var zones: [Zone] = []
        var records: [DNSRecord] = []
        var failures: [ScriptedFailure] = []
        var questions: [DNSQuestion] = []
    }

    private let configuration: Configuration
    private let cache: DNSCache?
    private let state = Mutex(State())

    /// An empty resolver; with a `cache`, results are kept for their TTLs.
    public init(configuration: Configuration = Configuration(), cache: DNSCache? = nil) {
        self.configuration = configuration
        self.cache = cache
    }

    /// Adds a zone with an SOA record whose minimum field (the negative TTL) is `negativeTTL`.
    /// - Throws: ``DNSError/invalidName``, or ``DNSError/invalidRecord`` if the zone exists.
    public func addZone(_ origin: String, negativeTTL: UInt32 = 300, ttl: UInt32 = 3600) throws(DNSError) {
        let name = try DNSName(origin)
        let soa = DNSStartOfAuthority(
            primaryServer: try name.prepending("ns1"), responsibleMailbox: try name.prepending("hostmaster"), serial: 1,
            refresh: 3600, retry: 600, expire: 86400, minimum: negativeTTL)
        let record = DNSRecord(name: name, ttl: ttl, data: .soa(soa))
        try state.withLock { state throws(DNSError) in
            guard !state.zones.contains(where: { $0.origin == name }) else {
                throw DNSError.invalidRecord.with(message: "the zone \(name.text) already exists")
            }
            state.zones.append(Zone(origin: name, soa: record))
        }
    }

    /// Adds a record at `name` (text, Unicode allowed).
    /// - Throws: see ``add(_:)``.
    public func add(_ name: String, ttl: UInt32 = 300, _ data: DNSRecordData) throws(DNSError) {
        try add(DNSRecord(name: try DNSName(name), ttl: ttl, data: data))
    }

    /// Adds `record` to its zone; adding a record that is already there changes nothing.
    /// - Throws: ``DNSError/invalidRecord`` outside every zone, for a CNAME beside other
    ///   data, for SOA or OPT records, or for a TXT record without strings;
    ///   ``DNSError/characterStringTooLong`` for a string over 255 bytes.
    public func add(_ record: DNSRecord) throws(DNSError) {
        switch record.data {
        case .soa, .opt:
            throw DNSError.invalidRecord.with(message: "\(record.type) records cannot be added; use addZone")
        case .txt(let strings):
            guard !strings.isEmpty else { throw DNSError.invalidRecord.with(message: "a TXT record needs at least one string") }
            guard strings.allSatisfy({ $0.count <= 255 }) else { throw DNSError.characterStringTooLong }
        default: break
        }
        try state.withLock { state throws(DNSError) in
            guard Self.zone(for: record.name, in: state.zones) != nil else {
                throw DNSError.invalidRecord.with(message: "\(record.name.text) is in none of the resolver's zones")
            }
            let here = state.records.filter { $0.name == record.name }
            if record.type == .cname ? here.contains(where: { $0.data != record.data }) : here.contains(where: { $0.type == .cname }) {
                throw DNSError.invalidRecord.with(message: "\(record.name.text) cannot have a CNAME and other data (RFC 1034 section 3.6.2)")
            }
            guard !here.contains(where: { $0.data == record.data }) else { return }
            state.records.append(record)
        }
    }

    /// Removes the records at `name`, only those of `type` when it is given.
    public func remove(_ name: DNSName, type: DNSRecordType? = nil) {
        state.withLock { state in state.records.removeAll { $0.name == name && (type == nil || $0.type == type) } }
    }

    /// Makes the next `times` questions about `name` (and `type`, if given) fail with
    /// `status`: `.serverFailure` and `.refused` come back as replies with that code,
    /// the other transient statuses as failures to get a reply.
    /// - Throws: ``DNSError/invalidConfiguration`` for a status that is not transient.
    public func scriptFailure(_ status: DNSResult.Status, for name: String, type: DNSRecordType? = nil,
                              times: Int = 1) throws(DNSError) {
        switch status {
        case .serverFailure, .refused, .timeout, .networkFailure, .malformedResponse: break
        default:
            throw DNSError.invalidConfiguration.with(message: "only transient failures can be scripted; add records for the rest")
        }
        let failure = ScriptedFailure(name: try DNSName(name), type: type, status: status, remaining: times)
        state.withLock { $0.failures.append(failure) }
    }

    /// Every record held (SOA records of the zones first): enough to write zone files.
    public var records: [DNSRecord] { state.withLock { $0.zones.map(\.soa) + $0.records } }

    /// The zones' origins.
    public var zones: [DNSName] { state.withLock { $0.zones.map(\.origin) } }

    /// Every question asked so far, in order (each CNAME step counts).
    public var questionsAsked: [DNSQuestion] { state.withLock { $0.questions } }

    /// Looks `question` up; see ``DNSResolver/resolve(_:)``.
    public func resolve(_ question: DNSQuestion) async -> DNSResult {
        await DNSResolution.resolve(question, maximumAliases: configuration.maximumAliases, cache: cache) { step in
            self.answer(step)
        }
    }

    /// The reply an authoritative server for the zones would give.
    private func answer(_ question: DNSQuestion) -> DNSExchange {
        state.withLock { state -> DNSExchange in
            state.questions.append(question)
            var header = DNSHeader(id: 0, isResponse: true, isAuthoritative: true, recursionDesired: false)
            if let index = state.failures.firstIndex(where: { $0.name == question.name && ($0.type == nil || $0.type == question.type) }) {
                let status = state.failures[index].status
                state.failures[index].remaining -= 1
                if state.failures[index].remaining <= 0 { state.failures.remove(at: index) }
                switch status {
                case .serverFailure, .refused:
                    header.responseCode = UInt8((status == .refused ? DNSResponseCode.refused : .serverFailure).rawValue)
                    return .response(DNSMessage(header: header, questions: [question]))
                default:
                    return .failure(status, "scripted \(status) for \(question.name.text)")
                }
            }
            guard question.questionClass == .internet, let zone = Self.zone(for: question.name, in: state.zones) else {
                header.responseCode = UInt8(DNSResponseCode.refused.rawValue)
                header.isAuthoritative = false
                return .response(DNSMessage(header: header, questions: [question]))
            }
            var message = DNSMessage(header: header, questions: [question])
            var name = question.name
            // Follow CNAMEs inside this zone, as an authoritative server does.
            for _ in 0...(configuration.maximumAliases + 1) {
                let here = state.records.filter { $0.name == name } + (name == zone.origin ? [zone.soa] : [])
                let matching = here.filter { question.type == .any || $0.type == question.type }
                if !matching.isEmpty {
                    message.answers += matching
                    return .response(message)
                }
                if let alias = here.first(where: { $0.type == .cname }), case .cname(let target) = alias.data {
                    message.answers.append(alias)
                    guard target.isSubdomain(of: zone.origin), !message.answers.dropLast().contains(where: { $0.name == target }) else {
                        return .response(message)
                    }
                    name = target
                    continue
                }
                let exists = !here.isEmpty || state.records.contains { $0.name.isSubdomain(of: name) }
                if !exists { message.header.responseCode = UInt8(DNSResponseCode.nameError.rawValue) }
                message.authorities = [zone.soa]
                return .response(message)
            }
            return .response(message)
        }
    }

    private static func zone(for name: DNSName, in zones: [Zone]) -> Zone? {
        zones.filter { name.isSubdomain(of: $0.origin) }.max { $0.origin.labels.count < $1.origin.labels.count }
    }
}
