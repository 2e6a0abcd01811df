extension DNSRecord: CustomStringConvertible {
    /// The record in zone-file (presentation) form: `name TTL IN TYPE data`. Unknown types
    /// use the RFC 3597 `\# length hex` form, so any record can be written to a zone file.
    public var description: String {
        "\(name) \(ttl) \(recordClass) \(type) \(data)"
    }
}

extension DNSRecordData: CustomStringConvertible {
    /// The data in zone-file form (`10 mx1.example.org.`, `"v=spf1" " -all"`).
    public var description: String {
        switch self {
        case .a(let address), .aaaa(let address): return address.description
        case .cname(let name), .ns(let name): return name.description
        case .soa(let soa):
            return "\(soa.primaryServer) \(soa.responsibleMailbox) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        case .mx(let preference, let exchange): return "\(preference) \(exchange)"
        case .txt(let strings): return strings.map(Self.quoted).joined(separator: " ")
        case .opt(let options): return options.map { "\($0.code):\(Self.hex($0.data))" }.joined(separator: " ")
        case .unknown(_, let data): return "\\# \(data.count)" + (data.isEmpty ? "" : " " + Self.hex(data))
        }
    }

    /// A character-string in quotes, `"` and `\` escaped, bytes outside printable ASCII as `\DDD`.
    static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E: text += String(UnicodeScalar(byte))
            default: text += "\\" + String(format3: byte)
            }
        }
        return text + "\""
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
