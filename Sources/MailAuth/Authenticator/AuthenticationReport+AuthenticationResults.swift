import CommunityMailCrypto

extension AuthenticationReport {
    /// The report as our Authentication-Results field (RFC 8601), signed off by
    /// `authservID` (our host name): one `spf`, one `dkim` per signature (or `dkim=none`),
    /// `dmarc` and `arc`.
    ///
    /// Properties name domains, selectors and the `header.b` prefix, never a local part:
    /// `smtp.mailfrom` carries the domain SPF checked (RFC 8601 section 2.7.2 allows it).
    public func authenticationResults(authservID: String) -> AuthenticationResults {
        AuthenticationResults(authservID: authservID, results: [spfMethodResult] + dkimMethodResults + [dmarc.authenticationResult, arcMethodResult])
    }

    /// `spf=<verdict> smtp.mailfrom=<domain>` (or `smtp.helo=` for the HELO identity);
    /// `spf=none` with a reason when SPF was not checked.
    var spfMethodResult: AuthenticationResults.MethodResult {
        guard let spf else {
            return AuthenticationResults.MethodResult(method: "spf", result: "none", reason: "client address not known")
        }
        let property = spf.identity == .helo
            ? AuthenticationResults.Property(type: "smtp", name: "helo", value: spf.domain)
            : AuthenticationResults.Property(type: "smtp", name: "mailfrom", value: spf.domain)
        return AuthenticationResults.MethodResult(method: "spf", result: spf.verdict.rawValue, properties: [property])
    }

    /// One `dkim=` result per signature with `header.d`, `header.s`, `header.a` and
    /// `header.b` (RFC 6008), the failure's reason, and comments for weak algorithms and
    /// `l=`; `dkim=none` when the message has no signature.
    var dkimMethodResults: [AuthenticationResults.MethodResult] {
        guard !dkim.results.isEmpty else { return [AuthenticationResults.MethodResult(method: "dkim", result: "none")] }
        return dkim.results.map { result in
            var properties: [AuthenticationResults.Property] = []
            if let domain = result.domain { properties.append(.init(type: "header", name: "d", value: domain)) }
            if let selector = result.selector { properties.append(.init(type: "header", name: "s", value: selector)) }
            if let algorithm = result.algorithm { properties.append(.init(type: "header", name: "a", value: algorithm.rawValue)) }
            if let headerB = result.headerB { properties.append(.init(type: "header", name: "b", value: headerB)) }
            var notes: [String] = []
            if result.isWeak { notes.append("weak algorithm") }
            if result.usesBodyLength { notes.append("body length limit") }
            if result.isTesting { notes.append("testing key") }
            if let bits = result.keyBits, result.algorithm?.keyKind == .rsa { notes.append("\(bits)-bit key") }
            return AuthenticationResults.MethodResult(
                method: "dkim", result: result.status.rawValue, reason: result.reason?.rawValue, properties: properties,
                comment: notes.isEmpty ? nil : notes.joined(separator: ", "))
        }
    }

    /// `arc=<cv>` (RFC 8617 section 4.4) with the failure's reason, and for a pass the
    /// number of sets in a comment.
    var arcMethodResult: AuthenticationResults.MethodResult {
        AuthenticationResults.MethodResult(
            method: "arc", result: arc.authenticationResultsValue, reason: arc.failure.map(String.init(describing:)),
            comment: arc.chainValidation == .pass ? "\(arc.setCount) set(s)" : nil)
    }
}
