/// The service extensions a server announced in its EHLO reply (RFC 5321 section 4.1.1.1):
/// one keyword per line after the first, with parameters.
public struct SMTPCapabilities: Sendable, Hashable {
    /// Each announced keyword, upper-cased, with its parameters as given.
    public let extensions: [String: [String]]

    /// No extensions (the server answered HELO, or has not answered yet).
    public init() { extensions = [:] }

    /// The extensions in an EHLO reply: every line but the first (the server's name).
    public init(ehloReply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            extensions[keyword.uppercased()] = Array(words.dropFirst())
        }
        self.extensions = extensions
    }

    /// Whether `keyword` (any case) was announced.
    public func contains(_ keyword: String) -> Bool { extensions[keyword.uppercased()] != nil }

    /// The SIZE limit in octets (RFC 1870), when the server gave a positive one (0 means
    /// "no fixed limit").
    public var maximumMessageSize: Int? {
        guard let value = extensions["SIZE"]?.first.flatMap({ Int($0) }), value > 0 else { return nil }
        return value
    }

    /// The SASL mechanisms announced with AUTH (RFC 4954), upper-cased.
    public var authenticationMechanisms: Set<String> { Set((extensions["AUTH"] ?? []).map { $0.uppercased() }) }
}
