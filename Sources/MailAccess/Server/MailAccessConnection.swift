import CommunityMailSystem

/// What differs between an IMAP and a POP3 connection in their common life: the busy reply,
/// whether a session holds the maildrop lock, what ends the protocol's session before its
/// lease goes, and the conversation itself. ``run()`` is the one sequence both follow
/// (through ``MailAccessConnectionLifecycle``).
protocol MailAccessConnection {
    /// What a client over the per-address limit reads on the plain port before the close.
    static var busyReply: [UInt8] { get }
    /// Whether a logged-in session holds the member's maildrop lock (POP3).
    static var locksMaildrop: Bool { get }
    /// The shared steps and the connection's place in the server's drain.
    var lifecycle: MailAccessConnectionLifecycle { get set }
    /// The stream in use: the accepted one, or the TLS stream over it.
    var stream: any ByteStream { get set }
    /// The logged-in member's hold on their mailbox.
    var lease: MailboxLease? { get }
    /// Whether the conversation runs over TLS (from the start, or since STARTTLS/STLS).
    var isTLSActive: Bool { get }
    /// The session until it ends; ``run()`` closes the stream.
    mutating func converse() async -> MailAccessEvent.Ending
    /// Ends what the protocol's session holds on the mailbox, before the lease is released.
    mutating func endSession() async
}

extension MailAccessConnection {
    /// The whole connection: admitted or refused for its address, registered with the
    /// drain, the conversation, then the session's end, the lease given back, the stream
    /// closed and the ending reported.
    mutating func run() async {
        guard await lifecycle.admit(stream, busyReply: Self.busyReply) else { return }
        let ending = await converse()
        await endSession()
        await lifecycle.finish(stream, lease: lease, locksMaildrop: Self.locksMaildrop, ending: ending, overTLS: isTLSActive)
    }

    /// The implicit-TLS handshake that starts a conversation on the implicit-TLS port (and
    /// does nothing on the plain port); false when it failed.
    mutating func startImplicitTLS() async -> Bool {
        guard lifecycle.implicitTLS else { return true }
        return await startTLS()
    }

    /// Replaces ``stream`` by the TLS stream over it; false when there is no certificate
    /// or the handshake failed.
    mutating func startTLS() async -> Bool {
        guard let secured = await lifecycle.acceptTLS(over: stream) else { return false }
        stream = secured
        return true
    }
}
