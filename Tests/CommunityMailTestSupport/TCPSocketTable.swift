import Foundation

/// The kernel's TCP socket tables (`/proc/<pid>/net/tcp` and `tcp6`) and the socket
/// descriptors of a process: which sockets listen or connect on a port, and whose they are.
public enum TCPSocketTable {
    /// One row of the table.
    public struct Socket: Sendable, Hashable {
        /// The local port.
        public let localPort: UInt16
        /// The remote port (0 for a listener).
        public let remotePort: UInt16
        /// Whether the socket listens (state 0A).
        public let isListening: Bool
        /// The socket's inode, as `/proc/<pid>/fd` links name it (`socket:[INODE]`).
        public let inode: String
    }

    /// Every TCP socket (IPv4 and IPv6) in the network namespace of `pid` (default: this
    /// process). The files are read to their end: the kernel makes them a page at a time,
    /// and a read by the file's size (0) would see the first page only.
    public static func sockets(of pid: String = "self") -> [Socket] {
        ["tcp", "tcp6"].flatMap { table -> [Socket] in
            guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/net/\(table)")).readToEnd() else { return [] }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line in
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                let fields = line.split(separator: " ")
                guard fields.count > 9, let local = port(fields[1]), let remote = port(fields[2]) else { return nil }
                return Socket(localPort: local, remotePort: remote, isListening: fields[3] == "0A", inode: String(fields[9]))
            }
        }
    }

    /// The inodes of the sockets process `pid` (default: this one) holds open.
    public static func socketInodes(of pid: String = "self") -> Set<String> {
        let folder = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Set(entries.compactMap { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + entry),
                target.hasPrefix("socket:[")
            else { return nil }
            return String(target.dropFirst("socket:[".count).dropLast())
        })
    }

    /// The port of an `ADDRESS:PORT` field (hexadecimal).
    private static func port(_ field: Substring) -> UInt16? {
        guard let colon = field.lastIndex(of: ":") else { return nil }
        return UInt16(field[field.index(after: colon)...], radix: 16)
    }
}
