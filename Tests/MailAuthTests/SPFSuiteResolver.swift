import DNSVerify
import Synchronization

/// A ``DNSResolver`` over one scenario's `zonedata` of the SPF council's YAML suite, with
/// the rules of the suite's own driver (pyspf's `test/testspf.py`):
/// - an `SPF` record is also served as TXT unless the name has TXT records;
/// - `TXT: NONE` marks the name as having TXT records without adding one;
/// - `TIMEOUT` times out the question unless a record of the asked type came before it
///   (then the answer ends there);
/// - a missing name starting with `error.` times out; any other missing name is NXDOMAIN;
/// - a label over 63 bytes times out;
/// - CNAMEs are followed.
/// It records every question, so tests can count them.
final class SPFSuiteResolver: DNSResolver {
    enum Entry: Sendable {
        case timeout
        /// A record of `type` (A, AAAA, MX, PTR, CNAME, TXT, SPF): TXT and SPF strings, or
        /// one value (an address or a name); MX has its preference.
        case record(type: String, values: [String], preference: Int)
    }

    private let zone: [String: [Entry]]
    private let asked = Mutex<[DNSQuestion]>([])

    /// Every question asked so far.
    var questions: [DNSQuestion] { asked.withLock { $0 } }

    init(zone: [String: [Entry]]) {
        self.zone = zone
    }

    /// The zone from a scenario's `zonedata` (the YAML read as JSON), generated TXT
    /// records added as the driver's `getrdata` adds them.
    init(zonedata: [String: Any]) throws {
        var zone: [String: [Entry]] = [:]
        for (name, value) in zonedata {
            guard let items = value as? [Any] else { throw SuiteError("zonedata of \(name) is not a list") }
            var entries: [Entry] = []
            var generated: [Entry] = []
            var hasTXT = false
            for item in items {
                if let word = item as? String, word == "TIMEOUT" {
                    entries.append(.timeout)
                    continue
                }
                guard let map = item as? [String: Any], let (type, raw) = map.first else {
                    throw SuiteError("an unreadable record at \(name)")
                }
                var values: [String]
                var preference = 0
                switch raw {
                case let text as String: values = [text]
                case let list as [Any] where type == "MX":
                    guard list.count == 2, let number = list[0] as? Int, let host = list[1] as? String else {
                        throw SuiteError("a bad MX record at \(name)")
                    }
                    preference = number
                    values = [host]
                case let list as [Any]: values = list.map { "\($0)" }
                default: throw SuiteError("an unreadable \(type) record at \(name)")
                }
                if type == "TXT" { hasTXT = true }
                if type == "SPF" { generated.append(.record(type: "TXT", values: values, preference: 0)) }
                if values != ["NONE"] || !(type == "TXT" || type == "SPF") {
                    entries.append(.record(type: type, values: values, preference: preference))
                }
            }
            if !hasTXT { entries += generated }
            zone[name.lowercased(), default: []] += entries
        }
        self.zone = zone
    }

    func resolve(_ question: DNSQuestion) async -> DNSResult {
        asked.withLock { $0.append(question) }
        var name = question.name
        var aliases: [DNSRecord] = []
        for _ in 0...8 {
            let step = lookup(name, question.type)
            switch step {
            case .failure(let status):
                return DNSResult(question: question, status: status, aliases: aliases, canonicalName: name)
            case .records(let records, let exists):
                if let alias = records.first(where: { $0.type == .cname }), question.type != .cname,
                    !records.contains(where: { $0.type == question.type }), case .cname(let target) = alias.data
                {
                    aliases.append(alias)
                    if aliases.dropLast().contains(where: { $0.name == target }) || target == question.name {
                        return DNSResult(question: question, status: .aliasLoop, aliases: aliases, canonicalName: target)
                    }
                    name = target
                    continue
                }
                let matching = records.filter { $0.type == question.type }
                let status: DNSResult.Status = !matching.isEmpty ? .answer : exists ? .noData : .nonExistentDomain
                return DNSResult(question: question, status: status, records: matching, aliases: aliases, canonicalName: name)
            }
        }
        return DNSResult(question: question, status: .aliasLoop, aliases: aliases, canonicalName: name)
    }

    private enum Step {
        case failure(DNSResult.Status)
        /// The records found in order (of the asked type and CNAMEs); `exists` is false for a
        /// name not in the zone.
        case records([DNSRecord], exists: Bool)
    }

    private func lookup(_ name: DNSName, _ type: DNSRecordType) -> Step {
        if name.labels.contains(where: { $0.count > 63 }) { return .failure(.timeout) }
        let key = String(decoding: Array(name.labels.joined(separator: [UInt8(ascii: ".")])), as: UTF8.self).lowercased()
        guard let entries = zone[key] else {
            return key.hasPrefix("error.") ? .failure(.timeout) : .records([], exists: false)
        }
        var records: [DNSRecord] = []
        var sawAskedType = false
        for entry in entries {
            switch entry {
            case .timeout:
                return sawAskedType ? .records(records, exists: true) : .failure(.timeout)
            case .record(let recordType, let values, let preference):
                let asked = recordType == type.description
                if asked { sawAskedType = true }
                if values == ["TIMEOUT"] {
                    if asked { return .failure(.timeout) }
                    continue
                }
                guard asked || recordType == "CNAME", let data = Self.data(recordType, values, preference) else { continue }
                records.append(DNSRecord(name: name, ttl: 300, data: data))
            }
        }
        return .records(records, exists: true)
    }

    private static func data(_ type: String, _ values: [String], _ preference: Int) -> DNSRecordData? {
        switch type {
        case "A", "AAAA":
            guard let text = values.first, let address = try? DNSAddress(text) else { return nil }
            return type == "A" ? .a(address) : .aaaa(address)
        case "TXT":
            return .txt(values.map { Array($0.utf8) })
        case "MX":
            guard let name = values.first.flatMap(Self.name) else { return nil }
            return .mx(preference: UInt16(preference), exchange: name)
        case "CNAME":
            guard let name = values.first.flatMap(Self.name) else { return nil }
            return .cname(name)
        case "PTR":
            // Uncompressed wire form, as a real server's PTR data reaches DNSVerify.
            guard let name = values.first.flatMap(Self.name) else { return nil }
            return .unknown(type: .ptr, data: name.labels.flatMap { [UInt8($0.count)] + $0 } + [0])
        default:
            return nil
        }
    }

    /// A name from text as the suite writes it: any bytes but dots, a trailing dot allowed,
    /// `""` the root.
    static func name(_ text: String) -> DNSName? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        if bytes.isEmpty { return .root }
        return try? DNSName(labels: bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init))
    }
}
