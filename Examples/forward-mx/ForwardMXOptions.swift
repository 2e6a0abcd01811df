import CommunityMailSMTP
import CommunityMailSystem
import DNSVerify
import Foundation
import MailForwarder

/// forward-mx's command line, checked: every mistake ends the process with a message and
/// status 64 (EX_USAGE) before anything is opened.
struct ForwardMXOptions {
    /// How the relay connection is protected (`--relay-tls`).
    enum RelayTLS: String {
        /// Plaintext on loopback, STARTTLS required anywhere else (the default).
        case auto
        /// Plaintext (Postfix on loopback).
        case plaintext = "none"
        /// STARTTLS when the relay offers it, plaintext otherwise.
        case opportunistic
        /// STARTTLS or no delivery (451 to the sender).
        case required
    }

    var aliases = ""
    var listen = ""
    var serverName: String?
    var tlsCertificate: String?
    var tlsKey: String?
    var relayHost = "127.0.0.1"
    var relayPort: UInt16 = 25
    var relayTLS = RelayTLS.auto
    var relayCertificateAuthorities: String?
    var relayTLSName: String?
    var relayWasGiven = false
    var direct = false
    var directTLS = DirectMXRelay.Configuration.TLSPolicy.opportunistic
    var directPort: UInt16 = 25
    var directAllowsPrivateAddresses = false
    var nameservers: [DNSNameserver] = []
    var srsDomain = ""
    var srsSecretVariable: String?
    var srsSecretFile: String?
    var localDomains: [String] = []
    var postmaster: [String] = []
    var maximumMessageSize: Int?
    var memoryBudget: Int?
    var debugLog = false
    var maximumConnections: Int?
    var maximumConnectionsPerAddress: Int?
    var statsInterval = 3600
    var mailAuth = true
    var authservID: String?
    var arcKey: String?
    var arcSelector: String?
    var arcDomain: String?
    var dmarcRejectExempt: [String] = []

    static let usage = """
        usage: forward-mx --aliases DB --listen HOST:PORT --srs-domain DOMAIN (--srs-secret-env VAR | --srs-secret-file FILE)
                          [--server-name NAME] [--tls-cert FILE --tls-key FILE]
                          [--relay HOST:PORT] [--relay-tls auto|none|opportunistic|required] [--relay-ca FILE] [--relay-tls-name NAME]
                          [--direct [--direct-tls opportunistic|required] [--nameserver IP[:PORT]]... [--direct-port PORT]
                           [--direct-allow-private]]
                          [--local-domain DOMAIN]... [--postmaster ADDRESS]... [--max-message-size BYTES] [--memory-budget BYTES] [--max-connections N]
                          [--max-connections-per-address N] [--stats-interval SECONDS]
                          [--no-mail-auth | [--authserv-id ID] [--arc-key FILE --arc-selector S --arc-domain D]
                           [--dmarc-reject-exempt DOMAIN]...]
          --aliases DB              the alias database (see `aliases`); opened as the other tools open it
                                    (read and write: its WAL is checkpointed), never changed by forward-mx
          --listen HOST:PORT        where the MX listens (e.g. 0.0.0.0:25, [::]:25, 127.0.0.1:2525)
          --srs-domain DOMAIN       the domain of rewritten senders (SRS0=...@DOMAIN); bounces to it come back here
          --srs-secret-env VAR      the environment variable holding the SRS secrets, comma- or newline-separated:
                                    the first signs, all verify (rotation: put the new one first, drop the old one
                                    after 21 days)
          --srs-secret-file FILE    the same, one secret a line (postsrsd's secret file)
          --server-name NAME        the name in the greeting and our Received: field (default: the host name)
          --tls-cert, --tls-key     PEM certificate chain and key: STARTTLS is offered (default: not offered)
          --relay HOST:PORT         the MTA that delivers (default 127.0.0.1:25: Postfix on loopback)
          --relay-tls               auto (default): plaintext to a loopback relay, STARTTLS required elsewhere
          --relay-ca FILE           PEM authorities that sign the relay's certificate (default: the system's)
          --relay-tls-name NAME     the name the relay's certificate must carry (default: the relay host)
          --direct                  no relay: deliver to each recipient domain's MX (DNS), instead of --relay
          --direct-tls              opportunistic (default: STARTTLS when offered, not authenticated) or required
                                    (a certificate valid for the MX's name, checked against --relay-ca or the system's)
          --nameserver IP[:PORT]    the DNS servers asked for MX records and the mail checks (default:
                                    /etc/resolv.conf's), repeatable
          --direct-port PORT        the MX port (default 25; another only for tests)
          --direct-allow-private    also deliver to MX addresses on private networks and loopback (tests, labs)
          --local-domain DOMAIN     a further domain whose senders are not rewritten (the alias database's
                                    domains, read at start, never are)
          --postmaster ADDRESS      where mail to postmaster@ a served domain without its own postmaster alias,
                                    and to the bare Postmaster, goes (RFC 5321 4.5.1 wants both accepted)
          --max-message-size BYTES  announced with SIZE, larger gets 552 (default 52428800)
          --memory-budget BYTES     message bytes all sessions may hold at once; past it 452 4.3.1 (default
                                    1073741824, or the message size when that is larger)
          --debug-log               also log each message's sender and recipients (who wrote to whom: only
                                    while debugging, never by default)
          --max-connections N       in total (default 512), and --max-connections-per-address N (default 16)
          --stats-interval SECONDS  how often counts per reply code are logged (default 3600; 0: only at exit)
          --no-mail-auth            forward without checking SPF, DKIM and DMARC and without sealing (by default
                                    every message is checked, a DMARC p=reject failure gets 550 5.7.1, and
                                    Authentication-Results is added)
          --authserv-id ID          the name in our Authentication-Results (default: the server name)
          --arc-key FILE            seal every forwarded message with an ARC set signed by this key (PEM, or a
                                    base64 Ed25519 seed), published at S._domainkey.D: --arc-selector S, --arc-domain D
          --dmarc-reject-exempt DOMAIN  forward this From domain's (and its subdomains') DMARC p=reject failures
                                    anyway, marked dmarc=fail (domains that relay through their own servers)
        """

    /// Exits with status 64 and `message` followed by the usage.
    static func usageError(_ message: String) -> Never {
        fail("\(message) (forward-mx --help shows the usage)", status: 64)
    }

    /// The options in `arguments` (without the program name); `--help` prints the usage
    /// and exits 0.
    static func parse(_ arguments: [String]) -> ForwardMXOptions {
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("\(usage)\n".utf8))
            exit(64)
        }
        var options = ForwardMXOptions()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) -> String {
            guard let value = iterator.next(), !value.isEmpty else { usageError("\(flag) needs a value") }
            return value
        }
        func number(_ flag: String, least: Int) -> Int {
            let text = value(flag)
            guard let number = Int(text), number >= least else { usageError("\(flag) needs a whole number of at least \(least)") }
            return number
        }
        while let argument = iterator.next() {
            switch argument {
            case "--aliases": options.aliases = value(argument)
            case "--listen": options.listen = value(argument)
            case "--server-name": options.serverName = value(argument)
            case "--tls-cert": options.tlsCertificate = value(argument)
            case "--tls-key": options.tlsKey = value(argument)
            case "--relay":
                let text = value(argument)
                guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0 else {
                    usageError("--relay needs HOST:PORT")
                }
                var host = String(text[..<colon])
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                guard !host.isEmpty else { usageError("--relay needs HOST:PORT") }
                (options.relayHost, options.relayPort) = (host, port)
                options.relayWasGiven = true
            case "--direct": options.direct = true
            case "--direct-tls":
                switch value(argument) {
                case "opportunistic": options.directTLS = .opportunistic
                case "required": options.directTLS = .required
                default: usageError("--direct-tls is opportunistic or required")
                }
            case "--direct-port":
                guard let port = UInt16(value(argument)), port > 0 else { usageError("--direct-port needs a port number") }
                options.directPort = port
            case "--direct-allow-private": options.directAllowsPrivateAddresses = true
            case "--nameserver":
                do { options.nameservers.append(try DNSNameserver(value(argument))) } catch { usageError("--nameserver: \(error.message)") }
            case "--relay-tls":
                guard let mode = RelayTLS(rawValue: value(argument)) else { usageError("--relay-tls is auto, none, opportunistic or required") }
                options.relayTLS = mode
            case "--relay-ca": options.relayCertificateAuthorities = value(argument)
            case "--relay-tls-name": options.relayTLSName = value(argument)
            case "--srs-domain": options.srsDomain = value(argument)
            case "--srs-secret-env": options.srsSecretVariable = value(argument)
            case "--srs-secret-file": options.srsSecretFile = value(argument)
            case "--local-domain": options.localDomains.append(value(argument))
            case "--postmaster": options.postmaster.append(value(argument))
            case "--max-message-size": options.maximumMessageSize = number(argument, least: 1)
            case "--memory-budget": options.memoryBudget = number(argument, least: 1)
            case "--debug-log": options.debugLog = true
            case "--max-connections": options.maximumConnections = number(argument, least: 1)
            case "--max-connections-per-address": options.maximumConnectionsPerAddress = number(argument, least: 1)
            case "--stats-interval": options.statsInterval = number(argument, least: 0)
            case "--no-mail-auth": options.mailAuth = false
            case "--authserv-id": options.authservID = value(argument)
            case "--arc-key": options.arcKey = value(argument)
            case "--arc-selector": options.arcSelector = value(argument)
            case "--arc-domain": options.arcDomain = value(argument)
            case "--dmarc-reject-exempt": options.dmarcRejectExempt.append(value(argument))
            case "--help", "-h":
                print(usage)
                exit(0)
            default: usageError("unexpected \(argument)")
            }
        }
        guard !options.aliases.isEmpty else { usageError("--aliases is required") }
        guard !options.listen.isEmpty else { usageError("--listen is required") }
        guard !options.srsDomain.isEmpty else { usageError("--srs-domain is required") }
        guard (options.srsSecretVariable == nil) != (options.srsSecretFile == nil) else {
            usageError("give one of --srs-secret-env and --srs-secret-file")
        }
        guard (options.tlsCertificate == nil) == (options.tlsKey == nil) else { usageError("--tls-cert and --tls-key go together") }
        guard !(options.direct && options.relayWasGiven) else { usageError("--relay and --direct exclude each other") }
        let arc = [options.arcKey, options.arcSelector, options.arcDomain]
        guard arc.allSatisfy({ $0 == nil }) || arc.allSatisfy({ $0 != nil }) else {
            usageError("--arc-key, --arc-selector and --arc-domain go together")
        }
        guard options.mailAuth || (arc.allSatisfy { $0 == nil } && options.authservID == nil && options.dmarcRejectExempt.isEmpty) else {
            usageError("--no-mail-auth excludes the mail-check options")
        }
        if let budget = options.memoryBudget, let size = options.maximumMessageSize, budget < size {
            usageError("--memory-budget must be at least --max-message-size")
        }
        return options
    }

    /// The listening address.
    func listenAddress() -> SocketAddress {
        do { return try SocketAddress(listen) } catch { Self.usageError("--listen needs HOST:PORT with a numeric address") }
    }

    /// The SRS secrets, in order, from the environment variable or the file: split at
    /// commas and line ends (the variable) or line ends (the file), trimmed, empty ones
    /// dropped. Never printed.
    func srsSecrets() -> [String] {
        let text: String
        let separators: Set<Character>
        if let variable = srsSecretVariable {
            guard let value = ProcessInfo.processInfo.environment[variable] else { Self.usageError("the environment variable \(variable) is not set") }
            text = value
            separators = [",", "\n", "\r\n"]
        } else {
            let path = srsSecretFile ?? ""
            guard let value = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read the SRS secret file \(path)", status: 66) }
            text = value
            separators = ["\n", "\r\n"]
        }
        // The file's lines are taken whole, as postsrsd takes them (it strips only the line
        // ends), so the two sign alike; the variable's items are trimmed.
        let secrets = text.split(whereSeparator: { separators.contains($0) })
            .map { srsSecretVariable == nil ? String($0) : $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !secrets.isEmpty else { Self.usageError("no SRS secret given (the variable or file is empty)") }
        return secrets
    }

    /// The relay connection's protection, `auto` settled by where the relay is.
    var relaySecurity: SMTPClient.ConnectionSecurity {
        switch relayTLS {
        case .plaintext: return .plain
        case .opportunistic: return .startTLS(required: false)
        case .required: return .startTLS(required: true)
        case .auto:
            let loopback = relayHost == "localhost" || (InternetAddress(relayHost)?.isLoopback ?? false)
            return loopback ? .plain : .startTLS(required: true)
        }
    }
}
