import CommunityMailSystem

/// The ports of a MailAccess server (POP3 or IMAP): a plain one and, optionally, an
/// implicit-TLS one, served together.
enum MailAccessPorts {
    /// Accepts on `plain` and `implicitTLS` until both stop, running `session` for each
    /// connection on a task that prefers `BlockingExecutor.shared`. A connection over the
    /// listener's backstop gets `busyReply` on the plain port (nothing on the TLS port,
    /// where plaintext would be garbage). When one port fails for good, both close.
    /// - Throws: ``MailAccessError/io`` with the first failure.
    static func serve(
        plain: TCPListener, implicitTLS: TCPListener?, busyReply: [UInt8],
        session: @escaping @Sendable (TCPConnection, _ implicitTLS: Bool) async -> Void
    ) async throws(MailAccessError) {
        let listeners = [(plain, false)] + (implicitTLS.map { [($0, true)] } ?? [])
        let failure = await withTaskGroup(of: NetworkError?.self) { group in
            for (listener, isImplicitTLS) in listeners {
                group.addTask {
                    do throws(NetworkError) {
                        try await listener.serve { connection in
                            await withTaskExecutorPreference(BlockingExecutor.shared) {
                                await session(connection, isImplicitTLS)
                            }
                        } rejected: { connection, _ in
                            if !isImplicitTLS { try? await connection.write(busyReply, deadline: .now + .seconds(5)) }
                        }
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: NetworkError?
            for await result in group {
                guard let result, first == nil else { continue }
                first = result
                plain.close()
                implicitTLS?.close()
            }
            return first
        }
        if let failure { throw MailAccessError.io.with(message: "stopped accepting connections: \(failure.message)", cause: failure) }
    }
}
