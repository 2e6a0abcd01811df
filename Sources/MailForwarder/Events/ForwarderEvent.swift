public import CommunityMailSMTP

/// What a ``ForwarderServer`` tells its host about its work, for logs and metrics
/// (``ForwarderServer/Configuration/events``): counts, sizes, reply codes and how sessions
/// ended. No address and no message byte is in an event unless the host asked for them
/// with ``ForwarderServer/Configuration/eventsCarryAddresses`` (a debug log).
public enum ForwarderEvent: Sendable, Hashable {
    /// A message's final dot was answered: relayed, refused by the relay or the policy, or
    /// refused by the server itself (552 too large, 550 5.6.11 bare CR or LF, 452 4.3.1 no
    /// memory), one event each.
    case message(Message)
    /// A session ended.
    case sessionEnded(Session)

    /// One message: what the sender was told, and how much it carried.
    public struct Message: Sendable, Hashable {
        /// The reply to DATA (the server's own text; the next hop's is never passed on).
        public let reply: SMTPReply
        /// The message's size in octets as the client sent it (before our `Received:`; dots
        /// unstuffed), also when it was refused and its content dropped.
        public let size: Int
        /// How many final recipients (alias targets, without duplicates) it was relayed to;
        /// 0 when it was refused before the relay.
        public let relayedRecipients: Int
        /// How many of them the next hop accepted (or already had, from an earlier attempt).
        public let acceptedRecipients: Int
        /// How long the relay took; nil when the message was not relayed.
        public let relayDuration: Duration?
        /// Whether it arrived over TLS.
        public let overTLS: Bool
        /// The ``InboundAuthenticator``'s summary of its checks (results only, e.g.
        /// `spf=pass dkim=pass dmarc=pass`); nil when no authenticator ran.
        public let authentication: String?
        /// The envelope sender as the client gave it and the final recipients: only with
        /// ``ForwarderServer/Configuration/eventsCarryAddresses``, nil otherwise (and for a
        /// message the server refused itself before looking at its recipients).
        public let addresses: Addresses?
    }

    /// The addresses of one message, for a host's debug log only.
    public struct Addresses: Sendable, Hashable {
        /// The envelope sender as the client gave it ("" for the null sender).
        public let sender: String
        /// The final recipients the message was relayed to.
        public let recipients: [String]
    }

    /// One session, once it is over.
    public struct Session: Sendable, Hashable {
        /// How the session ended.
        public let ending: Ending
        /// How many messages' final dots it answered, whatever the reply (one
        /// ``ForwarderEvent/message(_:)`` each).
        public let messages: Int
        /// How many RCPT commands the recipient policy refused (unknown aliases, relay
        /// denied, forged SRS, transient look-up failures). RCPTs refused before the policy
        /// is asked (bad syntax, over ``ForwarderServer/Configuration/maximumRecipients``)
        /// are not counted.
        public let refusedRecipients: Int
        /// How long it lasted.
        public let duration: Duration
        /// Whether it was over TLS when it ended.
        public let overTLS: Bool
    }

    /// How a session ended.
    public enum Ending: Sendable, Hashable {
        /// The client sent QUIT (221).
        case quit
        /// The client closed the connection (or it broke) without QUIT.
        case clientClosed
        /// The client was silent past the command or data timeout (421 4.4.2).
        case timedOut
        /// The server closed it with 421: too many errors (4.7.0), or shutting down (4.3.2,
        /// ``ForwarderServer/close()``).
        case closedByServer
        /// A reply could not be written (the client stopped reading).
        case writeFailed
        /// The TLS handshake after STARTTLS failed.
        case tlsFailed
    }
}
