#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sockets the test support makes for itself (port probes, the loopback HTTP server),
/// close-on-exec from the start: tests start peers (NSD, Python servers) in parallel, and a
/// child that inherited a probe socket bound to a port would hold that port for its life.
enum TestSocket {
    /// A new IPv4 TCP socket, or -1.
    static func tcpIPv4() -> Int32 {
        #if canImport(Glibc)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        if descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return descriptor
        #endif
    }
}
