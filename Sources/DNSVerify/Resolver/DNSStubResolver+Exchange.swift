extension DNSStubResolver {
    /// How a single message travels.
    public enum Transport: Sendable, Hashable {
        /// One datagram each way; the reply may come back truncated (TC).
        case udp
        /// A TCP connection with 2-byte length framing.
        case tcp
    }

    /// Sends one query for `question` to `server` over `transport` and returns the reply
    /// as it came (no retries, no TCP fallback, no CNAME following): for diagnostics and
    /// for tests that look at the wire. The id is random; EDNS as configured.
    /// - Throws: ``DNSError/timedOut``, ``DNSError/networkFailure``, or
    ///   ``DNSError/unexpectedResponse`` for a reply that cannot be decoded.
    public func exchange(_ question: DNSQuestion, with server: DNSNameserver, over transport: Transport) async throws(DNSError)
        -> DNSMessage {
        let configuration = configuration
        let deadline = ContinuousClock.now + configuration.timeout
        let outcome = await Self.send(question, server: server, configuration: configuration,
                                      payloadSize: configuration.ednsPayloadSize, overTCP: transport == .tcp, deadline: deadline)
        switch outcome {
        case .response(let message):
            return message
        case .failure(let status, let detail):
            switch status {
            case .timeout: throw DNSError.timedOut.with(message: detail)
            case .malformedResponse: throw DNSError.unexpectedResponse.with(message: detail)
            default: throw DNSError.networkFailure.with(message: detail)
            }
        }
    }
}
