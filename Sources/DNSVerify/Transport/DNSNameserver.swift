import Foundation

/// Where a name server listens: an IPv4 or IPv6 address and a port (53 unless told).
public struct DNSNameserver: Hashable, Sendable, CustomStringConvertible {
    /// The server's address.
    public var address: DNSAddress
    /// The server's port, UDP and TCP alike.
    public var port: UInt16

    /// A server at `address`, `port`.
    public init(address: DNSAddress, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }

    /// A server from text: `192.0.2.1`, `192.0.2.1:5353`, `2001:db8::1`, `[2001:db8::1]:5353`.
    /// - Throws: ``DNSError/invalidAddress`` for anything else.
    public init(_ text: String) throws(DNSError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw DNSError.invalidAddress.with(message: "\(text.debugDescription) has [ without ]")
            }
            let address = try DNSAddress(String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]))
            let rest = trimmed[trimmed.index(after: close)...]
            if rest.isEmpty {
                self.init(address: address)
            } else {
                guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port > 0 else {
                    throw DNSError.invalidAddress.with(message: "\(text.debugDescription) has no valid port after ]")
                }
                self.init(address: address, port: port)
            }
        } else if trimmed.filter({ $0 == ":" }).count == 1 {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
            guard let port = UInt16(parts[1]), port > 0 else {
                throw DNSError.invalidAddress.with(message: "\(text.debugDescription) has no valid port")
            }
            self.init(address: try DNSAddress(String(parts[0])), port: port)
        } else {
            self.init(address: try DNSAddress(trimmed))
        }
    }

    /// `address:port`, IPv6 addresses in brackets.
    public var description: String { address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
}
