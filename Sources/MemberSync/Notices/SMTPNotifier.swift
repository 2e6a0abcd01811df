import CommunityMailMessage
import CommunityMailSMTP
import CommunityMailSystem
import Foundation

/// A ``Notifier`` that hands each notice to an SMTP relay (Postfix, say) as an RFC 5322
/// message: under the defaults in plaintext to a relay whose connected address is on
/// loopback, and over STARTTLS with a verified certificate to any other.
public struct SMTPNotifier: Notifier {
    /// Where and how to relay.
    public struct Configuration: Sendable {
        /// The relay's host name or address. Default: `127.0.0.1`.
        public var host: String = "127.0.0.1"
        /// The relay's port. Default: 25.
        public var port: UInt16 = 25
        /// The envelope sender and `From:` address, e.g. `noreply@ubuntu.com`.
        public var sender: String
        /// A display name for `From:`. Default: `CommunityMail`.
        public var senderName: String = "CommunityMail"
        /// The name we give in EHLO. Default: the machine's host name.
        public var heloName: String = ProcessInfo.processInfo.hostName
        /// When to use STARTTLS. Default: ``TLSPolicy/automatic``: plaintext to a relay whose
        /// connected address is on loopback (a stock local Postfix with its self-signed
        /// certificate), verified STARTTLS required to any other: a relay elsewhere that does
        /// not offer STARTTLS, or whose certificate does not verify, gets nothing.
        public var tls: TLSPolicy = .automatic
        /// The name (or IP address) the relay's certificate must carry. Default: nil, which
        /// means ``host``. An empty name is refused (``SMTPError/insecureConfiguration``):
        /// libssl would take it as "check no name at all".
        public var tlsServerName: String?
        /// A PEM file of CAs to trust instead of the system's (a private relay's CA).
        public var trustedCertificateAuthorityFile: String?
        /// The connect timeout, and the deadline of each step of the conversation (each
        /// reply awaited, each write). Default: 30 s.
        public var timeout: Duration = .seconds(30)

        /// A configuration for `sender`; other properties take their defaults.
        public init(sender: String) { self.sender = sender }
    }

    /// When the connection is encrypted. There is no opportunistic mode: a man in the middle
    /// can strip STARTTLS from the relay's EHLO reply, and the notices carry members'
    /// addresses.
    public enum TLSPolicy: Sendable, Hashable {
        /// ``never`` when the connected address is on loopback (127.0.0.0/8, ::1), decided
        /// on the address the socket connected to, not on the configured host name;
        /// ``required`` otherwise.
        case automatic
        /// Refuse to send unless STARTTLS succeeds with a certificate chain that verifies
        /// and names the relay, even on loopback.
        case required
        /// Plaintext, only to a relay on loopback (the connected address is checked: a host
        /// name that resolves elsewhere is refused with ``SMTPError/insecureConfiguration``).
        case never
    }

    /// The configuration.
    public let configuration: Configuration
    /// Whether a connected address is on loopback; tests replace it.
    var loopbackClassifier = LoopbackClassifier.system

    /// A notifier for `configuration`.
    public init(configuration: Configuration) { self.configuration = configuration }

    /// Connects with ``SMTPClient/connect(to:port:)``, picks plaintext or STARTTLS as
    /// ``Configuration/tls`` says for the connected address, and sends one message to the
    /// notice's recipients.
    /// - Throws: ``SMTPError`` (CommunityMailSMTP): ``SMTPError/cannotConnect``,
    ///   ``SMTPError/tlsUnavailable``, ``SMTPError/tlsFailed``, ``SMTPError/rejected`` with
    ///   the relay's codes, ``SMTPError/insecureConfiguration``, ``SMTPError/invalidAddress``.
    public func send(_ notice: Notice) async throws {
        // Checked before connecting (SMTPClient would refuse the empty name too, but only
        // once connected): a configuration mistake is not worth a connection, nor a retry.
        if configuration.tls != .never, configuration.tlsServerName?.isEmpty == true || configuration.host.isEmpty {
            throw SMTPError.insecureConfiguration.with(message: "the TLS server name is empty, so the relay's certificate could not be checked")
        }
        let mail: OutgoingMessage
        do {
            mail = try OutgoingMessage(
                from: configuration.sender, fromName: configuration.senderName, to: notice.recipients,
                subject: notice.subject, body: notice.body, date: Date(), headers: [("X-CommunityMail-Notice", notice.kind.rawValue)])
        } catch where error == .invalidAddress {
            throw SMTPError.invalidAddress.with(message: error.message)
        } catch {
            throw SMTPError.protocolError.with(message: error.message)
        }
        let message = try SMTPMessage(sender: mail.envelopeSender, recipients: mail.envelopeRecipients, content: mail.data)
        let client = SMTPClient(configuration: clientConfiguration)
        let connection = try await client.connect(to: configuration.host, port: configuration.port)
        let security: SMTPClient.ConnectionSecurity
        do {
            security = try self.security(onLoopback: loopbackClassifier.isLoopback(connection.remoteAddress.address))
        } catch {
            await connection.close()
            throw error
        }
        let tls = SMTPClient.TLSOptions(
            serverName: configuration.tlsServerName, trustedCertificateAuthorityFile: configuration.trustedCertificateAuthorityFile)
        try await client.send(message, over: connection, security: security, tls: tls)
    }

    /// Plaintext or required STARTTLS, as the policy decides on the connected address.
    private func security(onLoopback: Bool) throws(SMTPError) -> SMTPClient.ConnectionSecurity {
        switch configuration.tls {
        case .required: return .startTLS(required: true)
        case .automatic: return onLoopback ? .plain : .startTLS(required: true)
        case .never:
            guard onLoopback else {
                throw SMTPError.insecureConfiguration.with(
                    message: "plaintext SMTP (.never) is only allowed to a relay on loopback; \(configuration.host) is not")
            }
            return .plain
        }
    }

    /// The client's settings: connecting and every step get ``Configuration/timeout``.
    private var clientConfiguration: SMTPClient.Configuration {
        var client = SMTPClient.Configuration()
        client.heloName = configuration.heloName
        client.timeouts = SMTPClient.Timeouts(everyStep: configuration.timeout)
        return client
    }
}
