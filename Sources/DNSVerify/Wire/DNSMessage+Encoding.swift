extension DNSMessage {
    /// The message in wire form, names compressed (owner names, and the names inside
    /// CNAME, NS, SOA and MX data, as RFC 3597 section 4 allows).
    /// - Throws: ``DNSError/characterStringTooLong``, ``DNSError/messageTooLong``, or
    ///   ``DNSError/malformedRecordData`` for an unknown type that names a known one.
    public func encoded() throws(DNSError) -> [UInt8] {
        var writer = WireWriter()
        writer.writeUInt16(header.id)
        writer.writeUInt16(header.flags)
        for count in [questions.count, answers.count, authorities.count, additionals.count] {
            guard count <= Int(UInt16.max) else { throw DNSError.messageTooLong }
            writer.writeUInt16(UInt16(count))
        }
        for question in questions {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.questionClass.rawValue)
        }
        for record in answers + authorities + additionals { try writer.writeRecord(record) }
        guard writer.bytes.count <= Int(UInt16.max) else { throw DNSError.messageTooLong }
        return writer.bytes
    }
}

/// Builds a message, remembering where each name suffix was written for compression.
struct WireWriter {
    private(set) var bytes: [UInt8] = []
    private var offsets: [[[UInt8]]: Int] = [:]

    init() { bytes.reserveCapacity(512) }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(value >> 16))
        writeUInt16(UInt16(value & 0xFFFF))
    }

    mutating func writeName(_ name: DNSName) {
        let canonical = name.canonicalLabels
        for index in name.labels.indices {
            let suffix = Array(canonical[index...])
            if let offset = offsets[suffix] {
                writeUInt16(0xC000 | UInt16(offset))
                return
            }
            // Pointers have 14 bits: only suffixes in the first 16 KiB can be targets.
            if bytes.count < 0x4000 { offsets[suffix] = bytes.count }
            bytes.append(UInt8(name.labels[index].count))
            bytes.append(contentsOf: name.labels[index])
        }
        bytes.append(0)
    }

    mutating func writeRecord(_ record: DNSRecord) throws(DNSError) {
        writeName(record.name)
        writeUInt16(record.type.rawValue)
        writeUInt16(record.recordClass.rawValue)
        writeUInt32(record.ttl)
        let lengthOffset = bytes.count
        writeUInt16(0)
        let start = bytes.count
        switch record.data {
        case .a(let address), .aaaa(let address):
            bytes.append(contentsOf: address.bytes)
        case .cname(let name), .ns(let name):
            writeName(name)
        case .soa(let soa):
            writeName(soa.primaryServer)
            writeName(soa.responsibleMailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writeUInt32(value) }
        case .mx(let preference, let exchange):
            writeUInt16(preference)
            writeName(exchange)
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else { throw DNSError.characterStringTooLong }
                bytes.append(UInt8(string.count))
                bytes.append(contentsOf: string)
            }
        case .opt(let options):
            for option in options {
                guard option.data.count <= Int(UInt16.max) else { throw DNSError.messageTooLong }
                writeUInt16(option.code)
                writeUInt16(UInt16(option.data.count))
                bytes.append(contentsOf: option.data)
            }
        case .unknown(let type, let data):
            guard ![DNSRecordType.a, .aaaa, .cname, .ns, .soa, .mx, .txt, .opt].contains(type) else {
                throw DNSError.malformedRecordData.with(message: "raw data for the known type \(type); use its typed case")
            }
            bytes.append(contentsOf: data)
        }
        let length = bytes.count - start
        guard length <= Int(UInt16.max) else { throw DNSError.messageTooLong }
        bytes[lengthOffset] = UInt8(length >> 8)
        bytes[lengthOffset + 1] = UInt8(length & 0xFF)
    }
}
