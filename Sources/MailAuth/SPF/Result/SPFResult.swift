/// The outcome of one SPF check (RFC 7208 section 2.6): the verdict, which identity was
/// checked, and what to put in Authentication-Results.
///
/// ``reason`` and ``description`` never contain an address or record text: they name the
/// mechanism or limit that decided. ``sender`` is the checked identity itself, because
/// Authentication-Results carries it (`smtp.mailfrom=`, `smtp.helo=`).
public struct SPFResult: Hashable, Sendable, CustomStringConvertible {
    /// The verdict.
    public var verdict: Verdict
    /// Which identity was checked.
    public var identity: SPFIdentity
    /// The identity as checked: `local@domain` for MAIL FROM (`postmaster@` + the HELO name
    /// when the reverse-path was empty, RFC 7208 section 2.4), the HELO name for HELO.
    public var sender: String
    /// The domain whose policy was asked first (the `<domain>` of check_host()).
    public var domain: String
    /// For ``Verdict/fail``: the sender domain's explanation (its `exp=` text, expanded),
    /// or the configured default; nil otherwise.
    public var explanation: String?
    /// What decided, in a few words, for an Authentication-Results comment (no addresses).
    public var reason: String

    /// A result from its parts.
    public init(verdict: Verdict, identity: SPFIdentity, sender: String, domain: String, explanation: String? = nil,
                reason: String) {
        self.verdict = verdict
        self.identity = identity
        self.sender = sender
        self.domain = domain
        self.explanation = explanation
        self.reason = reason
    }

    /// `spf=fail (reason)`: the verdict and reason only, never the sender.
    public var description: String { "spf=\(verdict.rawValue) (\(reason))" }
}
