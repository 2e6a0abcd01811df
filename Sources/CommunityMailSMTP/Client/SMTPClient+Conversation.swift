import CommunityMailSystem

extension SMTPClient {
    /// One run of the state machine over a stream: reads with the stage's deadline,
    /// performs the actions, swaps the stream for the TLS one after STARTTLS.
    struct Conversation {
        /// The stream the conversation started on.
        let original: any ByteStream
        /// The stream in use: `original`, or the TLS stream over it.
        var current: any ByteStream
        let timeouts: Timeouts

        init(stream: any ByteStream, timeouts: Timeouts) {
            original = stream
            current = stream
            self.timeouts = timeouts
        }

        /// Closes the stream in use and the one underneath (closing twice is harmless).
        func close() async {
            await current.close()
            await original.close()
        }

        mutating func run(_ start: SMTPClientStateMachine, security: Security) async throws(SMTPError) -> SMTPDeliveryReport {
            var machine = start
            var pending: [SMTPClientStateMachine.Action] = []
            var waitingAt = machine.stage
            var deadline = ContinuousClock.now + timeouts.timeout(for: waitingAt)
            while true {
                guard !pending.isEmpty else {
                    if machine.stage != waitingAt {
                        waitingAt = machine.stage
                        deadline = ContinuousClock.now + timeouts.timeout(for: waitingAt)
                    }
                    if Task.isCancelled { throw SMTPError.cancelled.with(message: "cancelled while waiting for the SMTP server (\(waitingAt))") }
                    let bytes: [UInt8]
                    do {
                        bytes = try await current.read(maximumCount: 16 * 1024, deadline: deadline)
                    } catch {
                        throw Self.mapped(error, while: "waiting for the SMTP server's reply (\(waitingAt))")
                    }
                    pending = bytes.isEmpty ? machine.connectionClosed() : machine.receive(bytes)
                    continue
                }
                switch pending.removeFirst() {
                case .send(let bytes):
                    if machine.isFinished {
                        // QUIT after the message was accepted: the delivery stands whatever happens.
                        try? await current.write(bytes, deadline: ContinuousClock.now + timeouts.quit)
                        continue
                    }
                    let timeout = machine.stage == .dataTermination ? timeouts.dataBlock : timeouts.timeout(for: machine.stage)
                    do {
                        try await current.write(bytes, deadline: ContinuousClock.now + timeout)
                    } catch {
                        throw Self.mapped(error, while: "writing to the SMTP server")
                    }
                    // Each command's reply gets its own wait (RFC 5321 section 4.5.3.2),
                    // also when the stage stays the same (one RCPT after another).
                    waitingAt = machine.stage
                    deadline = ContinuousClock.now + timeouts.timeout(for: waitingAt)
                case .startTLS:
                    guard case .startTLS(let upgrade) = security else {
                        throw SMTPError.protocolError.with(message: "STARTTLS began without a way to run TLS")
                    }
                    do {
                        current = try await upgrade(current, ContinuousClock.now + timeouts.command)
                    } catch {
                        throw Self.mappedHandshake(error, in: "the TLS handshake after STARTTLS")
                    }
                    pending += machine.tlsEstablished()
                case .delivered(let report):
                    return report
                case .fail(let error, let sendsQuit):
                    if sendsQuit {
                        try? await current.write(Array("QUIT\r\n".utf8), deadline: ContinuousClock.now + timeouts.quit)
                    }
                    throw error
                }
            }
        }

        /// A stream failure as an SMTP error, the network error kept as the cause.
        static func mapped(_ error: NetworkError, while doing: String) -> SMTPError {
            if error == .timedOut("") { return SMTPError.timeout.with(message: "timed out \(doing)", networkError: error) }
            if error == .cancelled("") { return SMTPError.cancelled.with(message: "cancelled \(doing)", networkError: error) }
            return SMTPError.protocolError.with(message: "the stream failed \(doing)", networkError: error)
        }

        /// A failed TLS handshake: a rejected certificate or a TLS failure is
        /// ``SMTPError/tlsFailed`` (it will repeat); a timeout or a broken connection is not.
        static func mappedHandshake(_ error: NetworkError, in handshake: String) -> SMTPError {
            if error == .tlsHandshake("") || error == .certificateRejected("") || error == .tlsFailure("") {
                return SMTPError.tlsFailed.with(message: "\(handshake) failed", networkError: error)
            }
            return mapped(error, while: "in \(handshake)")
        }
    }
}
