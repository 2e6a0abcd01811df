public import CommunityMailSystem

extension SMTPClient {
    /// A TCP connection to an SMTP server that nothing has been said on yet, opened by
    /// ``SMTPClient/connect(to:port:)``.
    ///
    /// It carries one conversation: ``SMTPClient/send(_:over:security:tls:)`` delivers one
    /// message over it and closes it. A host that decides on the connection's security by
    /// where the server is (``isOnLoopback``) looks before sending; one that decides not to
    /// send calls ``close()``.
    public final class Connection: Sendable {
        /// The host name (or address literal) given to ``SMTPClient/connect(to:port:)``: the
        /// name the server's certificate must carry unless ``TLSOptions/serverName`` says
        /// otherwise.
        public let host: String
        /// The TCP connection.
        let stream: TCPConnection

        init(host: String, stream: TCPConnection) {
            self.host = host
            self.stream = stream
        }

        /// The address and port the connection reached (the first of the host's addresses
        /// that answered).
        public var remoteAddress: SocketAddress { stream.remoteAddress }

        /// Whether ``remoteAddress`` is on loopback (127.0.0.0/8, ::1, ::ffff:127.x): decided
        /// on the address connected to, not on the host name.
        public var isOnLoopback: Bool { remoteAddress.address.isLoopback }

        /// Closes the connection without a word to the server (closing twice is harmless).
        public func close() async { await stream.close() }
    }
}
