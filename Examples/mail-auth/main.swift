// mail-auth: checks and signs messages the way a receiving or forwarding MX does.
//
//   mail-auth verify <message.eml> --client-ip IP --mail-from ADDR [--helo NAME]
//                    [--nameserver IP[:PORT]]... [--authserv-id ID]
//   mail-auth sign <message.eml> --key FILE --selector S --domain D
//   mail-auth arc-seal <message.eml> --key FILE --selector S --domain D --authserv-id ID
//                      --client-ip IP --mail-from ADDR [--helo NAME] [--nameserver IP[:PORT]]...
//   mail-auth keygen rsa|ed25519 --out FILE
//
// verify prints SPF, DKIM (each signature), DMARC and ARC, then our Authentication-Results
// field. sign writes the message with a DKIM-Signature on top to stdout (rsa-sha256 or
// ed25519-sha256, from the key's type). arc-seal checks the message as verify does, then
// writes it with our Authentication-Results and an ARC set on top. keygen writes a new
// private key (PKCS #8 PEM) and prints the TXT record to publish at
// <selector>._domainkey.<domain>. A key file is PEM (PKCS #8 or PKCS #1) or, as dkimpy's
// dknewkey writes Ed25519 keys, the base64 of a 32-byte seed.
// Without --nameserver the servers come from /etc/resolv.conf.
// Exit status: 0 pass (verify: DMARC passed, or no DMARC policy applies and SPF or DKIM
// passed; others: done), 1 fail, 2 temporary (a DNS failure), 64 bad usage, 66 a file
// cannot be read.
import CommunityMailCrypto
import CommunityMailMessage
import DNSVerify
import Foundation
import MailAuth

let usage = """
    usage: mail-auth verify <message.eml> --client-ip IP --mail-from ADDR [--helo NAME]
                            [--nameserver IP[:PORT]]... [--authserv-id ID]
           mail-auth sign <message.eml> --key FILE --selector S --domain D
           mail-auth arc-seal <message.eml> --key FILE --selector S --domain D --authserv-id ID
                              --client-ip IP --mail-from ADDR [--helo NAME] [--nameserver IP[:PORT]]...
           mail-auth keygen rsa|ed25519 --out FILE
    """

func fail(_ message: String, status: Int32 = 64) -> Never {
    FileHandle.standardError.write(Data(("mail-auth: \(message)\n" + (status == 64 ? usage + "\n" : "")).utf8))
    exit(status)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, ["verify", "sign", "arc-seal", "keygen"].contains(command) else {
    if arguments.first == "--help" || arguments.first == "-h" {
        print(usage)
        exit(0)
    }
    fail(arguments.isEmpty ? "no command given" : "unknown command \(arguments[0])")
}
arguments.removeFirst()

var positional: [String] = []
var options: [String: String] = [:]
var nameservers: [DNSNameserver] = []
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    guard argument.hasPrefix("--") else {
        positional.append(argument)
        continue
    }
    let known = ["--client-ip", "--mail-from", "--helo", "--nameserver", "--authserv-id", "--key", "--selector", "--domain", "--out"]
    guard known.contains(argument) else { fail("unknown option \(argument)") }
    guard !arguments.isEmpty else { fail("\(argument) needs a value") }
    let value = arguments.removeFirst()
    if argument == "--nameserver" {
        do { nameservers.append(try DNSNameserver(value)) } catch { fail(error.message) }
    } else {
        options[argument] = value
    }
}

@MainActor func required(_ name: String) -> String {
    guard let value = options[name], !value.isEmpty else { fail("\(command) needs \(name)") }
    return value
}

@MainActor func readFile(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)", status: 66) }
    return [UInt8](data)
}

/// The message file: its bytes with line ends made CRLF (files on disk often use LF).
@MainActor func readMessage() -> MailMessage {
    guard positional.count == 1 else { fail("\(command) takes one message file") }
    var bytes: [UInt8] = []
    var previous: UInt8 = 0
    for byte in readFile(positional[0]) {
        if byte == 0x0A, previous != 0x0D { bytes.append(0x0D) }
        bytes.append(byte)
        previous = byte
    }
    return MailMessage(bytes)
}

/// A private key from PEM, or from the base64 of an Ed25519 seed.
@MainActor func readKey() -> SigningKey {
    let text = String(decoding: readFile(required("--key")), as: UTF8.self)
    do {
        return try SigningKey(keyFileText: text)
    } catch {
        fail("the key cannot be used: \(error.message)", status: 1)
    }
}

@MainActor func resolver() -> DNSStubResolver {
    do {
        if nameservers.isEmpty { return try DNSStubResolver(cache: DNSCache()) }
        var configuration = DNSStubResolver.Configuration(nameservers: nameservers)
        configuration.timeout = .seconds(3)
        return try DNSStubResolver(configuration: configuration, cache: DNSCache())
    } catch {
        fail(error.message, status: 1)
    }
}

@MainActor func envelope() -> AuthenticationEnvelope {
    let address: DNSAddress
    do { address = try DNSAddress(required("--client-ip")) } catch { fail("--client-ip is not an IP address") }
    return AuthenticationEnvelope(clientAddress: address, helo: options["--helo"] ?? "unknown", mailFrom: required("--mail-from"))
}

@MainActor func authenticate(_ message: MailMessage) async -> AuthenticationReport {
    let list = (try? await PublicSuffixList.load()) ?? .snapshot
    return await MessageAuthenticator(resolver: resolver(), publicSuffixList: list).authenticate(message, envelope: envelope())
}

@MainActor func exitStatus(_ outcome: AuthenticationReport.Outcome) -> Int32 {
    switch outcome {
    case .pass: 0
    case .fail: 1
    case .temporary: 2
    }
}

@MainActor func write(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }

switch command {
case "verify":
    let message = readMessage()
    let report = await authenticate(message)
    if let spf = report.spf {
        print("spf: \(spf.verdict.rawValue) (\(spf.identity.rawValue) \(spf.domain): \(spf.reason))")
    }
    if report.dkim.results.isEmpty { print("dkim: none (no signature)") }
    for result in report.dkim.results {
        let signer = [result.domain.map { "d=\($0)" }, result.selector.map { "s=\($0)" }, result.algorithm.map { "a=\($0.rawValue)" }]
            .compactMap { $0 }.joined(separator: " ")
        print("dkim: \(result.status.rawValue) (\(signer)\(result.reason.map { ": \($0.rawValue)" } ?? ""))")
    }
    let dmarc = report.dmarc
    let policy = dmarc.record.map { "p=\($0.policy.rawValue), disposition \(dmarc.disposition.rawValue)" } ?? "no policy"
    print("dmarc: \(dmarc.status.rawValue) (\(dmarc.fromDomain.domain ?? "no From domain"), \(policy): \(dmarc.reason))")
    print("arc: \(report.arc.chainValidation.rawValue) (\(report.arc.setCount) set(s)\(report.arc.failure.map { ": \($0)" } ?? ""))")
    print("result: \(report.outcome.rawValue)")
    print(report.authenticationResults(authservID: options["--authserv-id"] ?? "mail-auth").fieldText(), terminator: "")
    exit(exitStatus(report.outcome))

case "sign":
    let message = readMessage()
    do {
        let signer = try DKIMSigner(key: readKey(), configuration: .init(domain: required("--domain"), selector: required("--selector")))
        write(try signer.sign(message).bytes)
    } catch {
        fail("cannot sign: \(error.message)", status: 1)
    }

case "arc-seal":
    let message = readMessage()
    let key = ARCSealingKey(selector: required("--selector"), domain: required("--domain"), signingKey: readKey())
    let authservID = required("--authserv-id")
    let report = await authenticate(message)
    let results = report.authenticationResults(authservID: authservID)
    do {
        let sealer = try ARCSealer(key: key, authservID: authservID)
        let checked = MailMessage(results.fieldBytes() + message.bytes)
        let set = try sealer.seal(checked, authenticationResults: results.resultsText(), chainValidation: report.arc.chainValidation)
        write(set.prepended(to: checked).bytes)
    } catch {
        fail("cannot seal: \(error.message)", status: 1)
    }

default:  // keygen
    guard positional.count == 1, let kind = SignatureKeyKind(rawValue: positional[0]) else { fail("keygen takes rsa or ed25519") }
    do {
        let key = kind == .rsa ? try SigningKey.generateRSA(bits: 2048) : try SigningKey.generateEd25519()
        let path = required("--out")
        guard FileManager.default.createFile(
            atPath: path, contents: Data(try key.pemRepresentation().utf8), attributes: [.posixPermissions: 0o600])
        else { fail("cannot write \(path)", status: 73) }
        print(try DKIMKeyRecord.text(publishing: key.verifyingKey))
    } catch {
        fail("cannot make the key: \(error)", status: 1)
    }
}
