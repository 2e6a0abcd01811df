internal import CommunityMailSystem
internal import DNSVerify
internal import Foundation

extension SPFEvaluation {
    /// Asks one question within the check's budget and deadline.
    /// - Throws: ``Abort/temporary(_:)`` for a transient DNS failure or the deadline,
    ///   ``Abort/permanent(_:)`` past the query budget or the void-lookup limit.
    /// - Parameter countsVoid: whether an empty answer counts against the void-lookup limit.
    func query(_ name: DNSName, _ type: DNSRecordType, countsVoid: Bool = false) async throws(Abort) -> DNSResult {
        let result = try await ask(name, type)
        if result.isTransient { throw .temporary("DNS \(type) lookup failed (\(result.status))") }
        if countsVoid, result.records.isEmpty, result.status == .noData || result.status == .nonExistentDomain {
            voidLookups += 1
            guard voidLookups <= configuration.maximumVoidLookups else {
                throw .permanent("more than \(configuration.maximumVoidLookups) void DNS lookups")
            }
        }
        return result
    }

    /// Asks one question; DNS failures come back as the result (for the lookups whose
    /// failures RFC 7208 says to skip: `ptr`'s, `%{p}`'s and the explanation's).
    /// - Throws: only past the query budget or the deadline, or when the task is cancelled.
    func ask(_ name: DNSName, _ type: DNSRecordType) async throws(Abort) -> DNSResult {
        queries += 1
        guard queries <= configuration.maximumQueries else {
            throw .permanent("more than \(configuration.maximumQueries) DNS queries")
        }
        guard configuration.clock.now() < deadline else { throw .temporary("the check took longer than its time limit") }
        guard !Task.isCancelled else { throw .temporary("the check was cancelled") }
        return await resolver.resolve(DNSQuestion(name: name, type: type))
    }

    /// The name for `text` (a trailing dot ignored), or nil when it cannot be a DNS name
    /// (an empty label, a label over 63 bytes): RFC 7208 section 4.8 treats those as
    /// names that do not exist.
    static func name(_ text: String) -> DNSName? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        return try? DNSName(labels: bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init))
    }

    /// The macro values for a term evaluated in `domain`'s record.
    func macroContext(domain: String) -> SPFMacroContext {
        let isIPv6 = client.count == 16
        let ip: String
        if isIPv6 {
            let digits = Array("0123456789ABCDEF")
            ip = client.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }.map(String.init).joined(separator: ".")
        } else {
            ip = client.map(String.init).joined(separator: ".")
        }
        return SPFMacroContext(
            sender: sender.address, localPart: sender.localPart, senderDomain: sender.domain, domain: domain, ip: ip,
            validatedName: nil, ipVersion: isIPv6 ? "ip6" : "in-addr", helo: helo, clientText: InternetAddress(bytes: client).description,
            receiver: configuration.receivingHost,
            timestamp: String(Int64(configuration.clock.now().timeIntervalSince1970)))
    }

    /// Expands `spec` in `domain`'s record, looking up `%{p}` if it needs it.
    /// - Throws: ``Abort/permanent(_:)`` when the expansion exceeds its byte limit.
    func expand(_ spec: SPFMacroString, domain: String) async throws(Abort) -> [UInt8] {
        var context = macroContext(domain: domain)
        if spec.usesValidatedName { context.validatedName = try await validatedName(domain: domain) }
        guard let bytes = spec.expanded(with: context, limit: configuration.maximumExpansionLength) else {
            throw .permanent("a macro expansion longer than \(configuration.maximumExpansionLength) bytes")
        }
        return bytes
    }

    /// The target of a term: `spec` expanded, a trailing dot dropped, shortened from the
    /// left to 253 bytes (RFC 7208 section 7.3); nil when no DNS name can be made of it.
    func targetName(_ spec: SPFMacroString, domain: String) async throws(Abort) -> DNSName? {
        var bytes = try await expand(spec, domain: domain)[...]
        if bytes.last == UInt8(ascii: ".") { bytes = bytes.dropLast() }
        while bytes.count > 253, let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            bytes = bytes[(dot + 1)...]
        }
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        return try? DNSName(labels: bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init))
    }

    /// The client's validated names (RFC 7208 section 5.5): the first PTR names whose
    /// own addresses include the client. Looked up once per check; DNS failures skip.
    func validatedClientNames() async throws(Abort) -> [DNSName] {
        if let validatedNames { return validatedNames }
        let isIPv6 = client.count == 16
        var labels: [[UInt8]]
        if isIPv6 {
            let digits = Array("0123456789abcdef".utf8)
            labels = client.reversed().flatMap { [[digits[Int($0 & 0x0F)]], [digits[Int($0 >> 4)]]] }
            labels += [Array("ip6".utf8), Array("arpa".utf8)]
        } else {
            labels = client.reversed().map { Array(String($0).utf8) } + [Array("in-addr".utf8), Array("arpa".utf8)]
        }
        var names: [DNSName] = []
        if let reverse = try? DNSName(labels: labels) {
            let result = try await ask(reverse, .ptr)
            for record in result.records.prefix(configuration.maximumPTRNames) {
                guard case .unknown(.ptr, let data) = record.data, let name = Self.uncompressedName(data) else { continue }
                let addresses = try await ask(name, isIPv6 ? .aaaa : .a)
                if addresses.records.contains(where: { Self.address(of: $0) == client }) { names.append(name) }
            }
        }
        validatedNames = names
        return names
    }

    /// `%{p}`: the validated name equal to `domain`, else one below it, else the first;
    /// `unknown` when none validates.
    func validatedName(domain: String) async throws(Abort) -> String {
        let names = try await validatedClientNames()
        guard let target = Self.name(domain) else { return names.first?.spfText ?? "unknown" }
        let chosen = names.first { $0 == target } ?? names.first { $0.isSubdomain(of: target) } ?? names.first
        return chosen?.spfText ?? "unknown"
    }

    /// The address bytes of an A or AAAA record.
    static func address(of record: DNSRecord) -> [UInt8]? {
        switch record.data {
        case .a(let address), .aaaa(let address): address.bytes
        default: nil
        }
    }

    /// A domain name in uncompressed wire form (PTR data); nil for anything else.
    /// DNSVerify keeps PTR data as raw bytes; a name compressed against the rest of its
    /// message cannot be read from them, and is skipped.
    static func uncompressedName(_ data: [UInt8]) -> DNSName? {
        var labels: [[UInt8]] = []
        var index = 0
        while index < data.count {
            let length = Int(data[index])
            if length == 0 { return index + 1 == data.count ? try? DNSName(labels: labels) : nil }
            guard length <= 63, index + 1 + length <= data.count else { return nil }
            labels.append(Array(data[(index + 1)...(index + length)]))
            index += 1 + length
        }
        return nil
    }
}

extension DNSName {
    /// The labels joined with dots, bytes as they are (no presentation escapes): how SPF
    /// macros and explanations see a name.
    var spfText: String {
        String(decoding: Array(labels.joined(separator: [UInt8(ascii: ".")])), as: UTF8.self)
    }
}
