internal import DNSVerify

/// The `<sender>` of check_host(): a local-part and a domain (RFC 7208 section 4.3).
struct SPFSender: Sendable {
    /// The local-part; `postmaster` when the address has none.
    var localPart: String
    /// The domain, as given (it may be malformed: see ``queryableDomain(_:)``).
    var domain: String

    init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    /// Splits a reverse-path at its last `@`; without one, the whole text is the domain.
    init(mailFrom: String) {
        if let at = mailFrom.lastIndex(of: "@") {
            let local = String(mailFrom[..<at])
            self.init(localPart: local.isEmpty ? "postmaster" : local, domain: String(mailFrom[mailFrom.index(after: at)...]))
        } else {
            self.init(localPart: "postmaster", domain: mailFrom)
        }
    }

    /// `local@domain`.
    var address: String { localPart + "@" + domain }

    /// `domain` as the name to ask, or nil when check_host() must answer none at once:
    /// empty or over-long labels, a single label, a domain literal, or a name IDNA refuses.
    static func queryableDomain(_ domain: String) -> String? {
        var text = domain
        if text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty, !text.hasPrefix("["), text.utf8.count <= 253 else { return nil }
        if !text.utf8.allSatisfy({ $0 < 0x80 }) {
            // An internationalised domain is asked in A-label form.
            guard let name = try? DNSName(text) else { return nil }
            text = name.text
        }
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return nil }
        return text
    }
}
