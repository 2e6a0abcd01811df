#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket or TLS failure.
///
/// Compare with the static values (`error.code == .timedOut`), read `isTransient` to decide
/// on a retry. Messages name the operation and the system's reason, never the data sent.
public struct NetworkError: ClassifiedError, CustomStringConvertible, Equatable {
    private enum Code: Sendable, Equatable {
        case timedOut, connectionRefused, connectionReset, closed, unreachable
        case addressInUse, limitReached, invalidAddress, tlsHandshake, certificateRejected, tlsFailure, system, cancelled
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What failed, for people: the operation and the system's reason.
    public var message: String { parts.message }
    /// The `errno` value behind the failure, when there is one.
    public let systemErrorNumber: Int32?

    private init(_ code: Code, _ message: String, errno: Int32? = nil) {
        parts = ErrorParts(code, message)
        self.systemErrorNumber = errno
    }

    /// A deadline passed before the operation finished.
    public static func timedOut(_ message: String) -> NetworkError { NetworkError(.timedOut, message) }
    /// The peer refused the connection (nothing listens there).
    public static func connectionRefused(_ message: String) -> NetworkError { NetworkError(.connectionRefused, message) }
    /// The peer reset the connection, or it broke (`ECONNRESET`, `EPIPE`).
    public static func connectionReset(_ message: String) -> NetworkError { NetworkError(.connectionReset, message) }
    /// The connection was already closed, by us or by the peer before the data we needed.
    public static func closed(_ message: String) -> NetworkError { NetworkError(.closed, message) }
    /// No route to the peer.
    public static func unreachable(_ message: String) -> NetworkError { NetworkError(.unreachable, message) }
    /// The local address is in use.
    public static func addressInUse(_ message: String) -> NetworkError { NetworkError(.addressInUse, message) }
    /// A configured limit (connections, buffered bytes) was reached.
    public static func limitReached(_ message: String) -> NetworkError { NetworkError(.limitReached, message) }
    /// A limit the system put on the process (descriptors, memory), with the `errno` behind it.
    static func limitReached(_ message: String, errno number: Int32) -> NetworkError {
        NetworkError(.limitReached, message, errno: number)
    }
    /// An address or port that cannot be used.
    public static func invalidAddress(_ message: String) -> NetworkError { NetworkError(.invalidAddress, message) }
    /// The TLS handshake failed (protocol version, cipher, a peer that does not speak TLS).
    public static func tlsHandshake(_ message: String) -> NetworkError { NetworkError(.tlsHandshake, message) }
    /// The peer's certificate was not trusted or not for the expected name.
    public static func certificateRejected(_ message: String) -> NetworkError { NetworkError(.certificateRejected, message) }
    /// TLS failed after the handshake (a bad record, a configuration that cannot load).
    public static func tlsFailure(_ message: String) -> NetworkError { NetworkError(.tlsFailure, message) }

    /// The task waiting for the socket was cancelled. Socket APIs throw this (not
    /// `CancellationError`) so that they keep one typed error; it is not transient: the
    /// caller asked to stop.
    public static func cancelled(_ message: String) -> NetworkError { NetworkError(.cancelled, message) }

    /// An error from a system call: `errno` decides the kind.
    public static func system(_ operation: String, errno number: Int32) -> NetworkError {
        let reason = String(cString: strerror(number))
        let message = "\(operation): \(reason)"
        switch number {
        case ECONNREFUSED: return NetworkError(.connectionRefused, message, errno: number)
        case ECONNRESET, EPIPE, ECONNABORTED: return NetworkError(.connectionReset, message, errno: number)
        case ETIMEDOUT: return NetworkError(.timedOut, message, errno: number)
        case ENETUNREACH, EHOSTUNREACH, ENETDOWN, EHOSTDOWN: return NetworkError(.unreachable, message, errno: number)
        case EADDRINUSE: return NetworkError(.addressInUse, message, errno: number)
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: return NetworkError(.limitReached, message, errno: number)
        case EADDRNOTAVAIL, EAFNOSUPPORT, EINVAL: return NetworkError(.invalidAddress, message, errno: number)
        default: return NetworkError(.system, message, errno: number)
        }
    }

    /// Whether trying again may succeed: timeouts, refused, reset or unreachable
    /// connections, and exhausted limits are transient; bad addresses, TLS failures and
    /// rejected certificates repeat; a cancelled wait is not retried.
    public var isTransient: Bool {
        switch code {
        case .timedOut, .connectionRefused, .connectionReset, .closed, .unreachable, .limitReached: true
        case .addressInUse, .invalidAddress, .tlsHandshake, .certificateRejected, .tlsFailure, .system, .cancelled: false
        }
    }

    /// Same kind of failure (messages are not compared).
    public static func == (lhs: NetworkError, rhs: NetworkError) -> Bool { lhs.parts == rhs.parts }

    /// The message.
    public var description: String { message }
}
