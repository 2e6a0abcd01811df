public import EncryptedMailbox

/// The answer to a FETCH of a message's state only (UID, FLAGS, MODSEQ) for many messages:
/// `* n FETCH (UID u FLAGS (...) MODSEQ (m))` per message, the items in one order for all.
/// What a syncing client's `UID FETCH 1:* (FLAGS)` gets; ``IMAPResponseEncoder`` writes it
/// straight from the states, with no ``IMAPResponse`` built per message.
public struct IMAPStateFetchRun: Sendable, Hashable {
    /// One item of each response.
    public enum Item: Sendable, Hashable {
        /// `UID u`.
        case uid
        /// `FLAGS (...)`: system flags, `\Recent` when ``Message/recent``, keywords.
        case flags
        /// `MODSEQ (m)` (RFC 7162).
        case modSeq
    }

    /// One message's response.
    public struct Message: Sendable, Hashable {
        /// Its message sequence number.
        public var sequenceNumber: UInt32
        /// Its UID, flags, keywords and MODSEQ.
        public var state: MessageChange
        /// Whether it is `\Recent` to this session.
        public var recent: Bool

        /// A message's response.
        public init(sequenceNumber: UInt32, state: MessageChange, recent: Bool) {
            self.sequenceNumber = sequenceNumber
            self.state = state
            self.recent = recent
        }
    }

    /// The items of every response, in order.
    public var items: [Item]
    /// The messages, in the order their responses go out.
    public var messages: [Message]

    /// A run of `messages`, each answered with `items`.
    public init(items: [Item], messages: [Message] = []) {
        self.items = items
        self.messages = messages
    }

    /// The same responses as ``IMAPResponse`` values: what a writer that does not encode
    /// runs itself sends one by one.
    public var responses: [IMAPResponse] {
        messages.map { message in
            .untagged(
                .fetch(
                    message.sequenceNumber,
                    items.map { item in
                        switch item {
                        case .uid: .uid(message.state.uid)
                        case .flags: .flags(IMAPFlagNames.names(message.state.flags, keywords: message.state.keywords, recent: message.recent))
                        case .modSeq: .modSeq(message.state.modSeq)
                        }
                    }))
        }
    }
}
