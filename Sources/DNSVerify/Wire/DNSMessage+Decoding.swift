extension DNSMessage {
    /// The most compression pointers one name may follow. Pointers must also point before
    /// the part of the name being read, so loops are impossible; the cap bounds the work.
    public static let maximumCompressionHops = 64

    /// Decodes a message from its wire form. Every read is bounds-checked; names may be
    /// compressed only with pointers that point backwards.
    /// - Throws: ``DNSError`` saying what is malformed; never traps on any input.
    public init(decoding bytes: [UInt8]) throws(DNSError) {
        var reader = WireReader(bytes: bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let counts = [try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16()]
        var questions: [DNSQuestion] = []
        questions.reserveCapacity(min(Int(counts[0]), bytes.count / 5))
        for _ in 0..<counts[0] {
            let name = try reader.readName()
            let type = DNSRecordType(rawValue: try reader.readUInt16())
            let questionClass = DNSRecordClass(rawValue: try reader.readUInt16())
            questions.append(DNSQuestion(name: name, type: type, questionClass: questionClass))
        }
        var sections: [[DNSRecord]] = [[], [], []]
        for section in 0..<3 {
            let count = Int(counts[section + 1])
            sections[section].reserveCapacity(min(count, bytes.count / 11))
            for _ in 0..<count { sections[section].append(try reader.readRecord()) }
        }
        // Bytes after the last announced record are ignored, as most resolvers do.
        self.init(header: DNSHeader(id: id, flags: flags), questions: questions, answers: sections[0],
                  authorities: sections[1], additionals: sections[2])
    }
}

/// A bounds-checked cursor over a message.
struct WireReader {
    let bytes: [UInt8]
    private(set) var position = 0
    /// Where the region being read ends: the message, or the current record's data.
    private var limit: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        limit = bytes.count
    }

    mutating func readUInt8() throws(DNSError) -> UInt8 {
        guard position < limit else { throw DNSError.truncatedMessage }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16() throws(DNSError) -> UInt16 {
        guard limit - position >= 2 else { throw DNSError.truncatedMessage }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func readUInt32() throws(DNSError) -> UInt32 {
        guard limit - position >= 4 else { throw DNSError.truncatedMessage }
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16 | UInt32(bytes[position + 2]) << 8
            | UInt32(bytes[position + 3])
    }

    mutating func readBytes(_ count: Int) throws(DNSError) -> [UInt8] {
        guard count >= 0, limit - position >= count else { throw DNSError.truncatedMessage }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A possibly compressed name. A pointer must point before the start of the run of
    /// labels it ends, so every jump goes strictly backwards and the walk terminates.
    mutating func readName() throws(DNSError) -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var cursor = position
        var runStart = position
        var bound = limit
        var hops = 0
        while true {
            guard cursor < bound else { throw DNSError.truncatedMessage }
            let length = Int(bytes[cursor])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if hops == 0 { position = cursor + 1 }
                    return DNSName(validatedLabels: labels)
                }
                guard bound - cursor - 1 >= length else { throw DNSError.truncatedMessage }
                wireLength += length + 1
                guard wireLength <= DNSName.maximumWireLength else { throw DNSError.nameTooLong }
                labels.append(Array(bytes[(cursor + 1)...(cursor + length)]))
                cursor += length + 1
            case 0xC0:
                guard bound - cursor >= 2 else { throw DNSError.truncatedMessage }
                let target = (length & 0x3F) << 8 | Int(bytes[cursor + 1])
                guard target < runStart else { throw DNSError.badCompressionPointer }
                hops += 1
                guard hops <= DNSMessage.maximumCompressionHops else { throw DNSError.tooManyCompressionPointers }
                if hops == 1 { position = cursor + 2 }
                cursor = target
                runStart = target
                // After a jump the name may continue anywhere earlier in the message.
                bound = bytes.count
            default:
                throw DNSError.unsupportedLabelType
            }
        }
    }

    mutating func readRecord() throws(DNSError) -> DNSRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let recordClass = DNSRecordClass(rawValue: try readUInt16())
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        guard limit - position >= length else { throw DNSError.truncatedMessage }
        let end = position + length
        let outer = limit
        limit = end
        defer { limit = outer }
        let data = try readRecordData(type: type, end: end)
        guard position == end else {
            throw DNSError.malformedRecordData.with(message: "the \(type) record for \(name) has \(end - position) bytes left over")
        }
        return DNSRecord(name: name, ttl: ttl, data: data, recordClass: recordClass)
    }

    private mutating func readRecordData(type: DNSRecordType, end: Int) throws(DNSError) -> DNSRecordData {
        switch type {
        case .a, .aaaa:
            let size = type == .a ? 4 : 16
            guard end - position == size else {
                throw DNSError.malformedRecordData.with(message: "a \(type) record has \(end - position) bytes of data, not \(size)")
            }
            let address = try DNSAddress(bytes: try readBytes(size))
            return type == .a ? .a(address) : .aaaa(address)
        case .cname:
            return .cname(try readName())
        case .ns:
            return .ns(try readName())
        case .soa:
            let primary = try readName()
            let mailbox = try readName()
            return .soa(DNSStartOfAuthority(
                primaryServer: primary, responsibleMailbox: mailbox, serial: try readUInt32(), refresh: try readUInt32(),
                retry: try readUInt32(), expire: try readUInt32(), minimum: try readUInt32()))
        case .mx:
            let preference = try readUInt16()
            return .mx(preference: preference, exchange: try readName())
        case .ptr:
            // Kept as raw data, but with the name decompressed: a PTR name may point into
            // the rest of the message (RFC 1035 section 4.1.4), which its reader never sees.
            let target = try readName()
            return .unknown(type: .ptr, data: target.labels.flatMap { [UInt8($0.count)] + $0 } + [0])
        case .txt:
            guard position < end else {
                throw DNSError.malformedRecordData.with(message: "a TXT record has no character-string")
            }
            var strings: [[UInt8]] = []
            while position < end {
                let count = Int(try readUInt8())
                strings.append(try readBytes(count))
            }
            return .txt(strings)
        case .opt:
            var options: [DNSOption] = []
            while position < end {
                let code = try readUInt16()
                let count = Int(try readUInt16())
                options.append(DNSOption(code: code, data: try readBytes(count)))
            }
            return .opt(options)
        default:
            return .unknown(type: type, data: try readBytes(end - position))
        }
    }
}
