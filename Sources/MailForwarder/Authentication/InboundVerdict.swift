public import CommunityMailSMTP

/// An ``InboundAuthenticator``'s decision on one message.
public struct InboundVerdict: Sendable, Hashable {
    /// The reply that refuses the message (a 4xx or 5xx, e.g. 550 5.7.1 for a DMARC
    /// `p=reject` failure); nil forwards it.
    public var refusal: SMTPReply?
    /// Complete header fields (each ending in CRLF) to put on the forwarded message, in
    /// order, just below our `Received:` field: e.g. an ARC set and Authentication-Results.
    public var fieldsToPrepend: [UInt8]
    /// The message to forward instead of the client's bytes, when the authenticator had to
    /// change them (e.g. remove Authentication-Results fields forged in our name, RFC 8601
    /// section 5); nil forwards the client's bytes as they came.
    public var replacementContent: [UInt8]?
    /// A summary of the checks for the forwarder's events, e.g. `dmarc=fail spf=pass
    /// dkim=none arc=none`: results only, never an address or a domain.
    public var summary: String

    /// Forward the message with `fields` on top, and `content` in place of the client's
    /// bytes when it is given.
    public static func forward(prepending fields: [UInt8] = [], replacing content: [UInt8]? = nil, summary: String = "") -> InboundVerdict {
        InboundVerdict(refusal: nil, fieldsToPrepend: fields, replacementContent: content, summary: summary)
    }

    /// Refuse the message with `reply`. A positive reply is not a refusal: the message is
    /// forwarded (without added fields).
    public static func refuse(_ reply: SMTPReply, summary: String = "") -> InboundVerdict {
        InboundVerdict(refusal: reply.isPositive ? nil : reply, fieldsToPrepend: [], replacementContent: nil, summary: summary)
    }

    private init(refusal: SMTPReply?, fieldsToPrepend: [UInt8], replacementContent: [UInt8]?, summary: String) {
        self.refusal = refusal
        self.fieldsToPrepend = fieldsToPrepend
        self.replacementContent = replacementContent
        self.summary = summary
    }
}
