import CommunityMailSystem
import Foundation
import MailAccess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// mail-access's command line, checked: every mistake ends the process with a message and
/// status 64 (EX_USAGE) before anything is opened. Each protocol has its own listen
/// options (`--listen-pop3`, `--listen-pop3s`, `--listen-imap`, `--listen-imaps`); at least
/// one plain port (POP3 or IMAP) must be given.
struct MailAccessOptions {
    var mailboxes = ""
    var listenPOP3: SocketAddress?
    var listenPOP3S: SocketAddress?
    var listenIMAP: SocketAddress?
    var listenIMAPS: SocketAddress?
    var tlsCertificate: String?
    var tlsKey: String?
    var serverName = "localhost"
    var plaintext = PlaintextAuthenticationPolicy.allowedOnLoopback
    var loginFailureDelay: Duration = .seconds(2)
    var maximumConnectionsPerAddress: Int?

    static let usage = """
        usage: mail-access --mailboxes DIR [--listen-pop3 HOST:PORT] [--listen-pop3s HOST:PORT]
                           [--listen-imap HOST:PORT] [--listen-imaps HOST:PORT]
                           [--tls-cert FILE --tls-key FILE] [--server-name NAME]
                           [--plaintext-auth never|loopback|always] [--login-failure-delay SECONDS]
                           [--max-connections-per-address N]
          --mailboxes DIR            the members' encrypted mailboxes (a MailboxStore folder); a member logs
                                     in with their mailbox's user id and passphrase
          --listen-pop3 HOST:PORT    POP3 (STLS offered when a certificate is given), e.g. 127.0.0.1:1110
          --listen-pop3s HOST:PORT   POP3 over implicit TLS (needs --tls-cert and --tls-key), e.g. 0.0.0.0:995
          --listen-imap HOST:PORT    IMAP (STARTTLS offered when a certificate is given), e.g. 127.0.0.1:1143
          --listen-imaps HOST:PORT   IMAP over implicit TLS (needs --tls-cert and --tls-key), e.g. 0.0.0.0:993
                                     (at least one of --listen-pop3 and --listen-imap)
          --tls-cert FILE            PEM certificate chain; --tls-key FILE: its PEM private key
          --server-name NAME         the name in the greeting (default: localhost)
          --plaintext-auth MODE      passwords before TLS: never, loopback (default: loopback clients only), always
          --login-failure-delay S    how long a failed login's answer waits (default: 2)
          --max-connections-per-address N   connections from one client address at once (default: 20)
        """

    static func usageError(_ message: String) -> Never {
        let bytes = Array("mail-access: \(message)\n\(usage)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        exit(64)
    }

    static func parse(_ arguments: [String]) -> MailAccessOptions {
        var options = MailAccessOptions()
        var index = 0
        func value(_ flag: String) -> String {
            index += 1
            guard index < arguments.count else { usageError("\(flag) needs a value") }
            return arguments[index]
        }
        func address(_ flag: String) -> SocketAddress {
            let text = value(flag)
            do {
                return try SocketAddress(text)
            } catch {
                usageError("\(flag): \(text) is not HOST:PORT with a numeric address")
            }
        }
        while index < arguments.count {
            let flag = arguments[index]
            switch flag {
            case "--mailboxes": options.mailboxes = value(flag)
            case "--listen-pop3": options.listenPOP3 = address(flag)
            case "--listen-pop3s": options.listenPOP3S = address(flag)
            case "--listen-imap": options.listenIMAP = address(flag)
            case "--listen-imaps": options.listenIMAPS = address(flag)
            case "--tls-cert": options.tlsCertificate = value(flag)
            case "--tls-key": options.tlsKey = value(flag)
            case "--server-name": options.serverName = value(flag)
            case "--plaintext-auth":
                switch value(flag) {
                case "never": options.plaintext = .refused
                case "loopback": options.plaintext = .allowedOnLoopback
                case "always": options.plaintext = .allowed
                default: usageError("--plaintext-auth is never, loopback or always")
                }
            case "--login-failure-delay":
                guard let seconds = Double(value(flag)), seconds >= 0, seconds <= 60 else {
                    usageError("--login-failure-delay is a number of seconds from 0 to 60")
                }
                options.loginFailureDelay = .milliseconds(Int(seconds * 1000))
            case "--max-connections-per-address":
                guard let count = Int(value(flag)), count >= 1 else { usageError("--max-connections-per-address is a positive number") }
                options.maximumConnectionsPerAddress = count
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                usageError("unknown option \(flag)")
            }
            index += 1
        }
        guard !options.mailboxes.isEmpty else { usageError("--mailboxes is required") }
        guard options.listenPOP3 != nil || options.listenIMAP != nil else { usageError("--listen-pop3 or --listen-imap is required") }
        guard options.listenPOP3S == nil || options.listenPOP3 != nil else { usageError("--listen-pop3s goes with --listen-pop3") }
        guard options.listenIMAPS == nil || options.listenIMAP != nil else { usageError("--listen-imaps goes with --listen-imap") }
        guard (options.tlsCertificate == nil) == (options.tlsKey == nil) else { usageError("--tls-cert and --tls-key go together") }
        guard options.listenPOP3S == nil || options.tlsCertificate != nil else { usageError("--listen-pop3s needs --tls-cert and --tls-key") }
        guard options.listenIMAPS == nil || options.tlsCertificate != nil else { usageError("--listen-imaps needs --tls-cert and --tls-key") }
        guard !options.serverName.isEmpty, !options.serverName.contains(where: { $0.isWhitespace }) else {
            usageError("--server-name must be one word")
        }
        return options
    }
}
