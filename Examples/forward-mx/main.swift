// forward-mx: the MX for a community's addresses. Takes mail for the alias database's
// domains, answers each RCPT from the aliases, rewrites the envelope sender with SRS and
// relays each message, in memory, to an MTA (Postfix on loopback) or straight to each
// recipient domain's MX (--direct), answering DATA only when the next hop has answered.
// Nothing is queued or written to disk here.
//
//   SRS_SECRETS=... forward-mx --aliases aliases.sqlite --listen 0.0.0.0:25 \
//       --srs-domain fwd.example.org --srs-secret-env SRS_SECRETS [--relay 127.0.0.1:25 | --direct] \
//       [--tls-cert cert.pem --tls-key key.pem] [--server-name mx.example.org]
//
// Logs go to stderr and carry counts and reply codes only: never an address, a subject or
// a secret (--debug-log adds each message's sender and recipients, for debugging only).
// SIGTERM or SIGINT stops accepting and ends the sessions (421 4.3.2; a message being
// received or relayed is answered first, within 60 s) and exits 0; a second signal exits
// at once (128 + its number).
// Exit status: 0 after a signal, 64 bad usage, 66 an input file cannot be opened, 1 other
// failures (cannot listen, the server stopped).
import AliasStore
import CommunityMailCrypto
import CommunityMailSMTP
import CommunityMailSystem
import DNSVerify
import Foundation
import MailAuth
import MailForwarder

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Sendable func log(_ line: String) {
    // write(2), errors ignored: a log that cannot be written (a full disk, a closed pipe)
    // must not stop the MX, as FileHandle's trapping write would.
    let bytes = Array("forward-mx: \(line)\n".utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

// A client or a log reader that goes away must cost a write error, not the process.
signal(SIGPIPE, SIG_IGN)
// SIGTERM and SIGINT end the server cleanly (see the end of this file).
guard TerminationSignals.install() else {
    log("cannot set up the signal handlers")
    exit(1)
}

func fail(_ message: String, status: Int32 = 1) -> Never {
    log(message)
    exit(status)
}

/// The system's host name, for the greeting when --server-name is not given.
func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

let options = ForwardMXOptions.parse(Array(CommandLine.arguments.dropFirst()))
let serverName = options.serverName ?? hostName()
// The greeting, our Received: fields and our EHLO to the relay and to other MX hosts need a
// fully qualified name (RFC 5321 section 4.1.1.1); receivers refuse a bare host name.
guard serverName.contains(".") else {
    ForwardMXOptions.usageError("the server name \(serverName) is not fully qualified: give --server-name")
}
let address = options.listenAddress()
let secrets = options.srsSecrets()
for file in [options.tlsCertificate, options.tlsKey, options.relayCertificateAuthorities].compactMap({ $0 })
where !FileManager.default.isReadableFile(atPath: file) {
    fail("cannot read \(file)", status: 66)
}

// The alias database must exist: opening a missing path would create an empty store
// that refuses every recipient.
guard FileManager.default.isReadableFile(atPath: options.aliases) else { fail("cannot read the alias database \(options.aliases)", status: 66) }
let store: SQLiteAliasStore
do {
    store = try SQLiteAliasStore(path: options.aliases)
} catch {
    fail("cannot open the alias database: \(error.message)", status: 66)
}

// Senders on our own domains are not rewritten (their SPF covers this MX already).
let srs: SRSRewriter
do {
    var configuration = SRSRewriter.Configuration(domain: options.srsDomain, secrets: secrets)
    // Verified domains only: an unproven one (anyone may add yahoo.com) must not stop the
    // rewriting of its senders.
    configuration.localDomains = try await store.domains().filter(\.verified).map(\.name) + options.localDomains
    srs = try SRSRewriter(configuration: configuration)
} catch let error as SRSError {
    ForwardMXOptions.usageError("bad SRS settings: \(error.message)")
} catch {
    fail("cannot read the alias database's domains: \(error)")
}

var configuration = ForwarderServer.Configuration(serverName: serverName)
if let size = options.maximumMessageSize {
    configuration.maximumMessageSize = size
    configuration.messageMemoryBudget = max(configuration.messageMemoryBudget, size)
}
if let budget = options.memoryBudget { configuration.messageMemoryBudget = budget }
// Counts and failures from the server's events: every DATA reply, also those given
// before the relay (a loop, a memory refusal) or by the delivery ledger alone.
let counts = TrafficCounts()
configuration.eventsCarryAddresses = options.debugLog  // who wrote to whom: --debug-log only
configuration.events = { event in
    guard case .message(let message) = event else { return }
    counts.countMessage(message.reply.code)
    if message.relayDuration != nil, !message.reply.isPositive {
        log("relay: \(message.reply.summary) for \(message.relayedRecipients - message.acceptedRecipients) of \(message.relayedRecipients) recipients")
    }
    if let addresses = message.addresses {
        let relayed = message.relayDuration.map { " in \(Int(($0 / .milliseconds(1)).rounded())) ms" } ?? ""
        log("debug: \(message.reply.code) from <\(addresses.sender)> to \(addresses.recipients.map { "<\($0)>" }.joined(separator: ", ")), "
            + "\(message.size) bytes\(relayed)")
    }
}
if let total = options.maximumConnections { configuration.listener.maximumConnections = total }
if let perAddress = options.maximumConnectionsPerAddress { configuration.listener.maximumConnectionsPerAddress = perAddress }
if let certificate = options.tlsCertificate, let key = options.tlsKey {
    configuration.tls = ForwarderServer.TLSFiles(certificateChainFile: certificate, privateKeyFile: key)
}

// One resolver for MX lookups and the mail checks, made only when one of them needs it.
let resolver: DNSStubResolver? = options.direct || options.mailAuth ? {
    do {
        return options.nameservers.isEmpty
            ? try DNSStubResolver(cache: DNSCache())
            : try DNSStubResolver(configuration: DNSStubResolver.Configuration(nameservers: options.nameservers), cache: DNSCache())
    } catch {
        fail("cannot set up the DNS resolver: \(error)", status: 66)
    }
}() : nil

// SPF, DKIM and DMARC on every message, our Authentication-Results, and an ARC seal.
var mailAuthDescription = "mail checks off"
if options.mailAuth, let resolver {
    var authentication = MailAuthInboundAuthenticator.Configuration(authservID: options.authservID ?? serverName)
    authentication.rejectExemptDomains = options.dmarcRejectExempt
    var sealer: ARCSealer?
    if let keyPath = options.arcKey, let selector = options.arcSelector, let domain = options.arcDomain {
        guard let text = try? String(contentsOfFile: keyPath, encoding: .utf8) else { fail("cannot read \(keyPath)", status: 66) }
        do {
            let key = try SigningKey(keyFileText: text)
            sealer = try ARCSealer(key: ARCSealingKey(selector: selector, domain: domain, signingKey: key), authservID: authentication.authservID)
        } catch let error as CryptoError {
            ForwardMXOptions.usageError("--arc-key: \(error.message)")
        } catch let error as MailAuthError {
            ForwardMXOptions.usageError("--arc-key: \(error.message)")
        } catch {
            ForwardMXOptions.usageError("--arc-key: \(error)")
        }
    }
    let list = (try? await PublicSuffixList.load()) ?? .snapshot
    var checks = MessageAuthenticator.Configuration()
    checks.spf.receivingHost = serverName
    configuration.authenticator = MailAuthInboundAuthenticator(
        authenticator: MessageAuthenticator(resolver: resolver, publicSuffixList: list, configuration: checks), sealer: sealer,
        configuration: authentication)
    mailAuthDescription = "SPF/DKIM/DMARC checked, " + (sealer == nil ? "not ARC-sealed (no --arc-key)" : "ARC-sealed")
}

// The next hop: a smarthost (Postfix on loopback, the default) or each recipient domain's MX.
let relay: any RelayHop
let relayDescription: String
if options.direct, let resolver {
    var direct = DirectMXRelay.Configuration(heloName: configuration.serverName)
    direct.tlsPolicy = options.directTLS
    direct.tls = SMTPClient.TLSOptions(trustedCertificateAuthorityFile: options.relayCertificateAuthorities)
    direct.port = options.directPort
    direct.allowsPrivateAddresses = options.directAllowsPrivateAddresses
    do {
        relay = try DirectMXRelay(configuration: direct, resolver: resolver)
    } catch {
        fail("cannot set up direct delivery: \(error.message)", status: 64)
    }
    relayDescription = "direct to each domain's MX (\(options.directTLS == .required ? "STARTTLS required" : "STARTTLS if offered"))"
} else {
    var smarthost = SmarthostRelay.Configuration(host: options.relayHost, port: options.relayPort)
    smarthost.security = options.relaySecurity
    smarthost.tls = SMTPClient.TLSOptions(serverName: options.relayTLSName, trustedCertificateAuthorityFile: options.relayCertificateAuthorities)
    smarthost.client.heloName = configuration.serverName
    relay = SmarthostRelay(configuration: smarthost)
    let relayTLSDescription =
        switch smarthost.security {
        case .plain: "plaintext"
        case .startTLS(required: false): "STARTTLS if offered"
        default: "STARTTLS required"
        }
    let relayHostDescription = options.relayHost.contains(":") ? "[\(options.relayHost)]" : options.relayHost
    relayDescription = "relay \(relayHostDescription):\(options.relayPort) (\(relayTLSDescription))"
}

let server: ForwarderServer
do {
    server = try await ForwarderServer(
        address: address, configuration: configuration,
        policy: CountingPolicy(policy: AliasRecipientPolicy(aliases: store, srs: srs, postmasterRecipients: options.postmaster), counts: counts),
        relay: relay, srs: srs)
} catch {
    if error == .invalidConfiguration { ForwardMXOptions.usageError(error.message) }
    fail(error.message, status: error == .tlsUnavailable ? 66 : 1)
}

// Written at once, unbuffered: a supervisor or a test reads it as soon as we listen.
FileHandle.standardOutput.write(Data(
    ("forward-mx: listening on \(server.localAddress) as \(configuration.serverName), \(relayDescription), "
        + "STARTTLS \(configuration.tls == nil ? "not offered" : "offered"), SRS domain \(options.srsDomain) with \(secrets.count) secret(s), \(mailAuthDescription)\n").utf8))

Task.detached {
    let signal = await TerminationSignals.next()
    // Closing first: the log line says it has begun (a supervisor, or a test, may act on it).
    server.close()
    log("signal \(signal): stopping (another signal exits at once)")
    // Sessions waiting on the relay may take minutes to end; an impatient operator need not.
    let again = await TerminationSignals.next()
    log("signal \(again): exiting without waiting for the sessions")
    exit(128 + again)
}
if options.statsInterval > 0 {
    Task.detached {
        while (try? await Task.sleep(for: .seconds(options.statsInterval))) != nil { log(counts.summary) }
    }
}

var status: Int32 = 0
do {
    try await server.run()
} catch {
    log(error.message)
    status = 1
}
log("stopped: \(counts.summary)")
await store.close()
exit(status)
