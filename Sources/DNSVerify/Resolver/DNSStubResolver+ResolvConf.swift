import Foundation

extension DNSStubResolver.Configuration {
    /// The most name servers taken from a resolv.conf, as the C library does (MAXNS).
    public static let maximumResolvConfServers = 3

    /// A configuration from resolv.conf text: `nameserver` lines (at most three, IPv4 or
    /// IPv6; link-local addresses with a `%zone` suffix are skipped, as they cannot be
    /// reached without their interface), and `options timeout:N attempts:N rotate`
    /// (timeout capped at 30 s, attempts at 5, as the C library does). Other lines and
    /// options are ignored; without a usable `nameserver` the server is 127.0.0.1.
    public static func parse(resolvConf text: String) -> DNSStubResolver.Configuration {
        var configuration = DNSStubResolver.Configuration()
        var servers: [DNSNameserver] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line: Substring = rawLine.prefix { $0 != "#" && $0 != ";" }
            let words: [String] = line.split { (character: Character) -> Bool in character == " " || character == "\t" }
                .map { String($0) }
            guard let keyword = words.first else { continue }
            switch keyword {
            case "nameserver":
                guard words.count >= 2, servers.count < maximumResolvConfServers else { continue }
                if !words[1].contains("%"), let address = try? DNSAddress(words[1]) { servers.append(DNSNameserver(address: address)) }
            case "options":
                for option in words.dropFirst() {
                    if option == "rotate" {
                        configuration.rotate = true
                    } else if option.hasPrefix("timeout:"), let seconds = Int(option.dropFirst(8)), seconds >= 1 {
                        configuration.timeout = .seconds(min(seconds, 30))
                    } else if option.hasPrefix("attempts:"), let count = Int(option.dropFirst(9)), count >= 1 {
                        configuration.attempts = min(count, 5)
                    }
                }
            default:
                continue
            }
        }
        configuration.nameservers = servers.isEmpty ? [DNSNameserver(address: .loopbackIPv4)] : servers
        return configuration
    }

    /// The configuration in the resolv.conf file at `resolvConfPath`.
    /// - Throws: ``DNSError/invalidConfiguration`` when the file cannot be read.
    public static func load(resolvConfPath: String = "/etc/resolv.conf") throws(DNSError) -> DNSStubResolver.Configuration {
        guard let data = FileManager.default.contents(atPath: resolvConfPath) else {
            throw DNSError.invalidConfiguration.with(message: "cannot read \(resolvConfPath)")
        }
        return parse(resolvConf: String(decoding: data, as: UTF8.self))
    }
}
