/// Where DKIM key records come from: DNS (``DNSKeySource``), or keys given directly
/// (``StaticKeySource``) for tests, benchmarks and hosts that already hold the keys.
public protocol DKIMKeySource: Sendable {
    /// The key record for `selector` at `domain` (both as they appear in `s=` and `d=`).
    /// Never throws: every outcome is a ``DKIMKeyLookup``.
    func lookUpKey(selector: String, domain: String) async -> DKIMKeyLookup
}
