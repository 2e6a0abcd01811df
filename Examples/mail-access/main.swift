// mail-access: IMAP and POP3 on members' encrypted mailboxes. A member logs in with their
// mailbox's user id and passphrase: the password opens the file, the server holds no key.
//
//   mail-access --mailboxes /var/lib/mail --listen-imap 127.0.0.1:1143 --listen-pop3 127.0.0.1:1110 \
//       [--listen-imaps 0.0.0.0:993] [--listen-pop3s 0.0.0.0:995] [--tls-cert cert.pem --tls-key key.pem]
//
// Both protocols share one authenticator (so a member's IMAP and POP3 sessions share their
// open mailbox), one session table (one per-member limit) and one login rate limiter.
// Logs go to stderr and carry counts only: never a login name, a password, an address or
// message bytes. SIGTERM or SIGINT stops accepting, ends the sessions (POP3 -ERR [SYS/TEMP],
// nothing deleted; IMAP * BYE) and exits 0; a second signal exits at once (128 + its number).
// Exit status: 0 after a signal, 64 bad usage, 66 an input file or folder cannot be
// opened, 1 other failures (cannot listen).
import CommunityMailSystem
import EncryptedMailbox
import Foundation
import MailAccess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Sendable func log(_ line: String) {
    // write(2), errors ignored: a log that cannot be written must not stop the server.
    let bytes = Array("mail-access: \(line)\n".utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func fail(_ message: String, status: Int32 = 1) -> Never {
    log(message)
    exit(status)
}

signal(SIGPIPE, SIG_IGN)
guard TerminationSignals.install() else { fail("cannot set up the signal handlers") }

let options = MailAccessOptions.parse(Array(CommandLine.arguments.dropFirst()))
var isFolder: ObjCBool = false
guard FileManager.default.fileExists(atPath: options.mailboxes, isDirectory: &isFolder), isFolder.boolValue else {
    fail("cannot open the mailbox folder \(options.mailboxes)", status: 66)
}
for file in [options.tlsCertificate, options.tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
    fail("cannot read \(file)", status: 66)
}
let store: MailboxStore
do {
    store = try MailboxStore(directory: URL(fileURLWithPath: options.mailboxes))
} catch {
    fail("cannot open the mailbox folder: \(error)", status: 66)
}
let authenticator = MailboxStoreAuthenticator(store: store)

var limiterConfiguration = LoginRateLimiter.Configuration()
limiterConfiguration.failureDelay = options.loginFailureDelay
let limiter = LoginRateLimiter(configuration: limiterConfiguration)
let sessions = MailAccessSessionTable()
let tls = options.tlsCertificate.flatMap { certificate in
    options.tlsKey.map { MailAccessTLSFiles(certificateChainFile: certificate, privateKeyFile: $0) }
}
let events: @Sendable (MailAccessEvent) -> Void = { event in
    // Counts only: no names, no addresses.
    if case .login(let access, let result, _) = event, result != .succeeded { log("\(access.rawValue) login \(result)") }
}

/// The settings both servers share: one rate limiter and one session table count a
/// member's and an address's sessions across POP3 and IMAP.
func applyShared(to configuration: inout some MailAccessServerConfiguration) {
    configuration.plaintextAuthentication = options.plaintext
    if let perAddress = options.maximumConnectionsPerAddress { configuration.limits.maximumSessionsPerAddress = perAddress }
    configuration.loginRateLimiter = limiter
    configuration.sessions = sessions
    configuration.tls = tls
    configuration.events = events
}

/// A server, or the exit status that says why it cannot start (66: its configuration).
func start<Server>(_ make: () async throws(MailAccessError) -> Server) async -> Server {
    do {
        return try await make()
    } catch {
        if error == .invalidConfiguration { fail(error.message, status: 66) }
        fail(error.message)
    }
}

var pop3Server: POP3Server?
if let address = options.listenPOP3 {
    var configuration = POP3Server.Configuration(serverName: options.serverName)
    applyShared(to: &configuration)
    pop3Server = await start { () async throws(MailAccessError) in
        try await POP3Server(address: address, implicitTLSAddress: options.listenPOP3S, configuration: configuration, authenticator: authenticator)
    }
}
var imapServer: IMAPServer?
if let address = options.listenIMAP {
    var configuration = IMAPServer.Configuration(serverName: options.serverName)
    applyShared(to: &configuration)
    imapServer = await start { () async throws(MailAccessError) in
        try await IMAPServer(address: address, implicitTLSAddress: options.listenIMAPS, configuration: configuration, authenticator: authenticator)
    }
}

// Written at once, unbuffered: a supervisor or a test reads it as soon as we listen.
var listening: [String] = []
if let pop3Server {
    listening.append("pop3 on \(pop3Server.localAddress)")
    if let address = pop3Server.implicitTLSLocalAddress { listening.append("pop3s on \(address)") }
}
if let imapServer {
    listening.append("imap on \(imapServer.localAddress)")
    if let address = imapServer.implicitTLSLocalAddress { listening.append("imaps on \(address)") }
}
FileHandle.standardOutput.write(Data(
    ("mail-access: listening \(listening.joined(separator: ", ")), STLS/STARTTLS \(tls == nil ? "not offered" : "offered")\n").utf8))

/// What the signal handler and the run loop need of each server.
struct RunningServer: Sendable {
    let run: @Sendable () async throws(MailAccessError) -> Void
    let close: @Sendable () -> Void
}
var servers: [RunningServer] = []
if let pop3Server { servers.append(RunningServer(run: { () async throws(MailAccessError) in try await pop3Server.run() }, close: pop3Server.close)) }
if let imapServer { servers.append(RunningServer(run: { () async throws(MailAccessError) in try await imapServer.run() }, close: imapServer.close)) }
let running = servers
Task.detached {
    let signal = await TerminationSignals.next()
    for server in running { server.close() }
    log("signal \(signal): stopping (another signal exits at once)")
    let again = await TerminationSignals.next()
    log("signal \(again): exiting without waiting for the sessions")
    exit(128 + again)
}

// All run until the signal; a port that fails for good stops everything.
let failure = await withTaskGroup(of: MailAccessError?.self) { group in
    for server in running {
        group.addTask {
            do throws(MailAccessError) {
                try await server.run()
                return nil
            } catch {
                return error
            }
        }
    }
    var first: MailAccessError?
    for await result in group where first == nil {
        guard let result else { continue }
        first = result
        for server in running { server.close() }
    }
    return first
}
if let failure { fail(failure.message) }
log("stopped")
exit(0)
