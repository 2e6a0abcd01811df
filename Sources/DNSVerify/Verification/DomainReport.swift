/// Every check run for one domain.
public struct DomainReport: Hashable, Sendable, Codable {
    /// The domain checked (A-label form).
    public var domain: String
    /// The checks, in the order they ran.
    public var checks: [DomainCheck]

    /// A report from its parts.
    public init(domain: String, checks: [DomainCheck]) {
        self.domain = domain
        self.checks = checks
    }

    /// `fail` if any check failed, else `indeterminate` if any was, else `pass`.
    public var status: DomainCheck.Status { checks.map(\.status).max() ?? .pass }
}
