internal import Synchronization

/// Keys given directly, by selector and domain: parsed once, looked up without DNS.
///
/// For tests, benchmarks ("keys given directly") and hosts that hold their partners' keys.
/// A selector and domain with no key is ``DKIMKeyLookup/notFound``.
public final class StaticKeySource: DKIMKeySource {
    private let records: Mutex<[String: DKIMKeyLookup]>

    /// An empty table.
    public init() {
        records = Mutex([:])
    }

    /// Sets the key record for `selector` at `domain`.
    public func set(_ record: DKIMKeyRecord, selector: String, domain: String) {
        records.withLock { $0[Self.key(selector, domain)] = .found(record) }
    }

    /// Sets the outcome for `selector` at `domain` (to script a temporary failure, several
    /// records or a malformed record in a test).
    public func set(_ outcome: DKIMKeyLookup, selector: String, domain: String) {
        records.withLock { $0[Self.key(selector, domain)] = outcome }
    }

    /// Parses a record's text and sets it for `selector` at `domain`.
    /// - Throws: ``MailAuthError/invalidRecord`` when the text is not a key record.
    public func set(recordText: String, selector: String, domain: String) throws(MailAuthError) {
        set(try DKIMKeyRecord(parsing: recordText), selector: selector, domain: domain)
    }

    /// The outcome set for `selector` at `domain`, or ``DKIMKeyLookup/notFound``.
    public func lookUpKey(selector: String, domain: String) async -> DKIMKeyLookup {
        lookUpKeyNow(selector: selector, domain: domain)
    }

    /// The same answer without suspending.
    public func lookUpKeyNow(selector: String, domain: String) -> DKIMKeyLookup {
        records.withLock { $0[Self.key(selector, domain)] } ?? .notFound
    }

    private static func key(_ selector: String, _ domain: String) -> String {
        "\(selector.lowercased())._domainkey.\(domain.lowercased().trimmingSuffixDot())"
    }
}

extension String {
    /// The name without one trailing dot.
    fileprivate func trimmingSuffixDot() -> String { hasSuffix(".") ? String(dropLast()) : self }
}
