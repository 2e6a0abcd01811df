// verify-domain: checks that a domain is set up for the service, the way a host app
// would before accepting it.
//
//   verify-domain <domain> --token T [--nameserver IP[:PORT]]... [--mx a,b]
//                 [--spf-include X] [--dkim-selector S --dkim-key K] [--return-path NAME]
//                 [--json]
//
// TXT, MX, SPF and DMARC are always checked; DKIM and the return-path CNAME when asked.
// Without --nameserver the servers come from /etc/resolv.conf.
// Exit status: 0 every check passed, 1 a check failed, 2 none failed but one was
// indeterminate (DNS did not answer reliably), 64 bad usage.
import DNSVerify
import Foundation

let usage = """
    usage: verify-domain <domain> --token T [--nameserver IP[:PORT]]... [--mx a,b]
                         [--spf-include X] [--dkim-selector S --dkim-key K]
                         [--return-path NAME] [--json]
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("verify-domain: \(message)\n\(usage)\n".utf8))
    exit(64)
}

var domain: String?
var token: String?
var servers: [DNSNameserver] = []
var configuration = DomainVerifier.Configuration()
var dkimSelector: String?
var dkimKey: String?
var json = false

var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { fail("\(argument) needs a value") }
        return arguments.removeFirst()
    }
    switch argument {
    case "--token": token = value()
    case "--nameserver":
        let text = value()
        do { servers.append(try DNSNameserver(text)) } catch { fail(error.message) }
    case "--mx": configuration.mailExchanges = value().split(separator: ",").map { String($0) }
    case "--spf-include": configuration.spfInclude = value()
    case "--dkim-selector": dkimSelector = value()
    case "--dkim-key": dkimKey = value()
    case "--return-path": configuration.returnPath = .init(name: value())
    case "--json": json = true
    case "--help", "-h":
        print(usage)
        exit(0)
    default:
        guard !argument.hasPrefix("-"), domain == nil else { fail("unexpected argument \(argument)") }
        domain = argument
    }
}
guard let domain else { fail("no domain given") }
guard let token, !token.isEmpty else { fail("--token is required") }
switch (dkimSelector, dkimKey) {
case (let selector?, let key?): configuration.dkim = .init(selector: selector, publicKey: key)
case (nil, nil): break
default: fail("--dkim-selector and --dkim-key go together")
}

let resolver: DNSStubResolver
do {
    if servers.isEmpty {
        resolver = try DNSStubResolver(cache: DNSCache())
    } else {
        var resolverConfiguration = DNSStubResolver.Configuration(nameservers: servers)
        resolverConfiguration.timeout = .seconds(3)
        resolver = try DNSStubResolver(configuration: resolverConfiguration, cache: DNSCache())
    }
} catch {
    fail(error.message)
}

let report: DomainReport
do {
    report = try await DomainVerifier(resolver: resolver, configuration: configuration).verify(domain: domain, token: token)
} catch {
    fail(error.message)
}

if json {
    struct Output: Encodable {
        var domain: String
        var status: DomainCheck.Status
        var checks: [DomainCheck]
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(Output(domain: report.domain, status: report.status, checks: report.checks))) ?? Data()
    print(String(decoding: data, as: UTF8.self))
} else {
    print("\(displayName(report.domain)): \(report.status.rawValue)")
    for check in report.checks {
        print("  [\(check.status.rawValue)] \(check.kind.rawValue) (\(check.name)): \(check.message)")
        for record in check.records { print("      seen: \(record)") }
    }
}

switch report.status {
case .pass: exit(0)
case .fail: exit(1)
case .indeterminate: exit(2)
}

/// The domain for display: A-labels shown in Unicode beside the ASCII form.
func displayName(_ ascii: String) -> String {
    guard let name = try? DNSName(ascii), name.unicodeText != ascii else { return ascii }
    return "\(name.unicodeText) (\(ascii))"
}
