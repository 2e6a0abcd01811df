public import CommunityMailSMTP

/// Hands each message to one configured MTA (a smarthost: Postfix on loopback, as the
/// forwarder's design has it) with CommunityMailSMTP's client, one connection per message.
///
/// Every recipient gets its RCPT (`SMTPClient.deliver`), so the outcome has a reply per
/// recipient: a refused one gets its RCPT reply, the accepted ones the reply to the
/// message. One refused recipient no longer fails the others. A failure of the whole
/// conversation (no connection, a refused sender, a timeout) is one reply for all.
public struct SmarthostRelay: RelayHop {
    /// Where and how to connect.
    public struct Configuration: Sendable {
        /// The smarthost's name or address.
        public var host: String
        /// Its port. Default: 25.
        public var port: UInt16 = 25
        /// Encryption. Default: STARTTLS required (a smarthost off loopback must not see
        /// mail in the clear); `.plain` for Postfix on loopback.
        public var security: SMTPClient.ConnectionSecurity = .startTLS(required: true)
        /// How the smarthost's certificate is checked. Default: the system's authorities
        /// and `host` as the name.
        public var tls = SMTPClient.TLSOptions()
        /// The client's settings (EHLO name, timeouts, pipelining). Default: the client's
        /// defaults, with `heloName` "localhost".
        public var client = SMTPClient.Configuration()

        /// A configuration for `host`; the rest takes the defaults.
        public init(host: String, port: UInt16 = 25) {
            self.host = host
            self.port = port
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let client: SMTPClient

    /// A relay to `configuration.host`.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.client = SMTPClient(configuration: configuration.client)
    }

    /// Connects, delivers `envelope` and closes the connection.
    public func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
        let count = envelope.recipients.count
        let message: SMTPMessage
        do {
            message = try SMTPMessage(sender: envelope.sender, recipients: envelope.recipients, content: envelope.content)
        } catch {
            return RelayOutcome(everyRecipient: Self.reply(for: error), recipientCount: count)
        }
        do {
            let report = try await client.deliver(
                message, to: configuration.host, port: configuration.port, security: configuration.security, tls: configuration.tls)
            return RelayOutcome(replies: report.replies)
        } catch {
            return RelayOutcome(everyRecipient: Self.reply(for: error), recipientCount: count)
        }
    }

    /// The reply that stands for a failed delivery: the smarthost's own codes when it
    /// refused, 554 for a message SMTP cannot carry, 451 for everything that may pass.
    static func reply(for error: SMTPError) -> SMTPReply {
        if error == .rejected, let code = error.replyCode, SMTPReply.isValidCode(code), code >= 400 {
            let fallback: SMTPEnhancedStatusCode = code < 500 ? "4.0.0" : "5.0.0"
            let enhanced = error.enhancedStatusCode.flatMap { $0.statusClass == code / 100 ? $0 : nil } ?? fallback
            return SMTPReply(code: code, enhancedStatusCode: enhanced, text: "Refused by the next hop")
        }
        switch error {
        case .invalidMessage: return SMTPReply(code: 554, enhancedStatusCode: "5.6.0", text: "The message cannot be relayed over SMTP")
        case .invalidAddress: return SMTPReply(code: 550, enhancedStatusCode: "5.1.3", text: "An address cannot be relayed over SMTP")
        case .extensionUnavailable:
            switch error.enhancedStatusCode {
            case "5.3.4": return SMTPReply(code: 552, enhancedStatusCode: "5.3.4", text: "The message is larger than the next hop accepts")
            case "5.6.3": return SMTPReply(code: 554, enhancedStatusCode: "5.6.3", text: "The next hop cannot carry 8-bit content (no 8BITMIME)")
            default: return SMTPReply(code: 554, enhancedStatusCode: "5.6.7", text: "The next hop cannot carry this message (no SMTPUTF8)")
            }
        case .timeout: return SMTPReply(code: 451, enhancedStatusCode: "4.4.2", text: "The next hop did not answer in time")
        case .cannotConnect: return SMTPReply(code: 451, enhancedStatusCode: "4.4.1", text: "The next hop cannot be reached")
        default:
            // Broken conversations, TLS and configuration failures: the sender retries
            // while the operator looks.
            return SMTPReply(code: 451, enhancedStatusCode: "4.4.0", text: "Relaying failed, try again later")
        }
    }
}
