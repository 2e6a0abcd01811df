public import CommunityMailMessage
import CommunityMailIDNA

/// The RFC5322.From domain DMARC evaluates (RFC 7489 section 6.6.1), or why there is none.
///
/// DMARC needs exactly one From field holding exactly one address with a domain; every
/// other shape is a distinct case, so a receiver can decide (RFC 7489 leaves rejecting
/// these to local policy; ``DMARCEvaluator`` reports them as `permerror`).
public enum DMARCFromDomain: Sendable, Hashable {
    /// The domain of the single author address, lowercase, in A-label form.
    case domain(String)
    /// The message has no From field.
    case missing
    /// The message has more than one From field.
    case multipleFields
    /// The From field holds more than one address (or none: an empty group).
    case multipleAddresses(count: Int)
    /// The From field cannot be read as an address with a domain (no `@`, a domain
    /// literal, a domain name IDNA refuses, or input over the limits).
    case unparseable

    /// The largest From value read, in bytes; longer ones are ``unparseable``.
    public static let maximumFieldLength = 16_384

    /// The From domain of a message's header.
    public init(header: HeaderBlock) {
        let fields = header.fields.filter { $0.lowercasedName == "from" }
        guard let field = fields.first else {
            self = .missing
            return
        }
        guard fields.count == 1 else {
            self = .multipleFields
            return
        }
        self.init(fieldValue: field.unfoldedValue)
    }

    /// The From domain of one unfolded From field value (`"Alice" <alice@example.org>`).
    public init(fieldValue: String) {
        guard fieldValue.utf8.count <= Self.maximumFieldLength, let addresses = AddressListScanner.addresses(in: fieldValue) else {
            self = .unparseable
            return
        }
        guard addresses.count == 1, let address = addresses.first else {
            self = .multipleAddresses(count: addresses.count)
            return
        }
        guard let at = address.lastIndex(of: "@") else {
            self = .unparseable
            return
        }
        let domain = address[address.index(after: at)...]
        guard !domain.isEmpty, !domain.hasPrefix("["), !domain.contains(" "),
            let ascii = try? DomainName.toASCII(String(domain))
        else {
            self = .unparseable
            return
        }
        self = .domain(ascii)
    }

    /// The domain, when there is one.
    public var domain: String? {
        if case .domain(let domain) = self { return domain }
        return nil
    }
}
