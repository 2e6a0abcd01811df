// mail-access: POP3 on members' encrypted mailboxes. A member logs in with their mailbox's
// user id and passphrase: the password opens the file, the server holds no key.
//
//   mail-access --mailboxes /var/lib/mail --listen-pop3 127.0.0.1:1110 \
//       [--listen-pop3s 0.0.0.0:995] [--tls-cert cert.pem --tls-key key.pem]
//
// Logs go to stderr and carry counts only: never a login name, a password, an address or
// message bytes. SIGTERM or SIGINT stops accepting, ends the sessions (-ERR [SYS/TEMP],
// nothing deleted) and exits 0; a second signal exits at once (128 + its number).
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

var configuration = POP3Server.Configuration(serverName: options.serverName)
configuration.plaintextAuthentication = options.plaintext
if let perAddress = options.maximumConnectionsPerAddress { configuration.limits.maximumSessionsPerAddress = perAddress }
var limiter = LoginRateLimiter.Configuration()
limiter.failureDelay = options.loginFailureDelay
configuration.loginRateLimiter = LoginRateLimiter(configuration: limiter)
if let certificate = options.tlsCertificate, let key = options.tlsKey {
    configuration.tls = MailAccessTLSFiles(certificateChainFile: certificate, privateKeyFile: key)
}
configuration.events = { event in
    // Counts only: no names, no addresses.
    if case .login(_, let result, _) = event, result != .succeeded { log("login \(result)") }
}

let server: POP3Server
do {
    // The listen addresses were checked by the option parser.
    server = try await POP3Server(
        address: options.listenPOP3 ?? SocketAddress(address: .loopbackIPv4, port: 1110), implicitTLSAddress: options.listenPOP3S,
        configuration: configuration, authenticator: authenticator)
} catch {
    if error == .invalidConfiguration { fail(error.message, status: 66) }
    fail(error.message)
}

// Written at once, unbuffered: a supervisor or a test reads it as soon as we listen.
FileHandle.standardOutput.write(Data(
    ("mail-access: listening pop3 on \(server.localAddress)"
        + (server.implicitTLSLocalAddress.map { ", pop3s on \($0)" } ?? "")
        + ", STLS \(configuration.tls == nil ? "not offered" : "offered")\n").utf8))

Task.detached {
    let signal = await TerminationSignals.next()
    server.close()
    log("signal \(signal): stopping (another signal exits at once)")
    let again = await TerminationSignals.next()
    log("signal \(again): exiting without waiting for the sessions")
    exit(128 + again)
}

do {
    try await server.run()
} catch {
    fail(error.message)
}
log("stopped")
exit(0)
