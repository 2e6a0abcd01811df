extension DMARCResult {
    /// This result as an Authentication-Results method result (RFC 7489 section 11.2):
    /// `dmarc=<status>` with `header.from=<From domain>` when there is one, and the
    /// policy in a comment in the form receivers commonly write it
    /// (`(p=reject sp=quarantine dis=none)`: the published `p` and `sp`, and the
    /// disposition applied).
    public var authenticationResult: AuthenticationResults.MethodResult {
        var properties: [AuthenticationResults.Property] = []
        if let domain = fromDomain.domain {
            properties.append(AuthenticationResults.Property(type: "header", name: "from", value: domain))
        }
        var comment: String?
        if let record {
            comment = "p=\(record.policy.rawValue) sp=\((record.subdomainPolicy ?? record.policy).rawValue) dis=\(disposition.rawValue)"
        }
        return AuthenticationResults.MethodResult(method: "dmarc", result: status.rawValue, properties: properties, comment: comment)
    }
}
