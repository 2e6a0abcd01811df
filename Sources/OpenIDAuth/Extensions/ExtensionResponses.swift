import Foundation

/// Reads SREG, AX, Launchpad teams and PAPE values from the signed part of an assertion.
/// The namespace declaration must be signed too, or an attacker could re-point an alias.
enum ExtensionResponses {
    /// Reads the values into `assertion`; SREG, AX and teams (claims about the user that any
    /// provider could make up) only when `includingClaims`, PAPE (about the provider's own
    /// authentication) always.
    static func read(_ signed: OpenIDMessage, into assertion: inout VerifiedAssertion, includingClaims: Bool) {
        if includingClaims { readClaims(signed, into: &assertion) }
        if let alias = signed.alias(forNamespace: OpenIDExtensionNamespace.pape) {
            if let time = signed["\(alias).auth_time"] { assertion.authenticationTime = try? NonceTimestamp.parse(time) }
            if let policies = signed["\(alias).auth_policies"] {
                assertion.authenticationPolicies = policies.split(separator: " ").map(String.init).filter { $0 != "none" }
            }
        }
    }

    private static func readClaims(_ signed: OpenIDMessage, into assertion: inout VerifiedAssertion) {
        if let alias = signed.alias(forNamespace: OpenIDExtensionNamespace.simpleRegistration)
            ?? signed.alias(forNamespace: OpenIDExtensionNamespace.simpleRegistration10)
        {
            for field in SimpleRegistrationRequest.Field.allCases {
                if let value = signed["\(alias).\(field.rawValue)"] { assertion.simpleRegistration[field.rawValue] = value }
            }
        }
        if let alias = signed.alias(forNamespace: OpenIDExtensionNamespace.attributeExchange),
           signed["\(alias).mode"] == "fetch_response"
        {
            let typePrefix = "\(alias).type."
            for field in signed.fields where field.key.hasPrefix(typePrefix) {
                let name = String(field.key.dropFirst(typePrefix.count))
                var values: [String] = []
                if let countText = signed["\(alias).count.\(name)"], let count = Int(countText), (0...1000).contains(count) {
                    for index in 0..<count {
                        if let value = signed["\(alias).value.\(name).\(index + 1)"] { values.append(value) }
                    }
                } else if let value = signed["\(alias).value.\(name)"] {
                    values.append(value)
                }
                if !values.isEmpty { assertion.attributes[field.value, default: []] += values }
            }
        }
        if let alias = signed.alias(forNamespace: OpenIDExtensionNamespace.launchpadTeams),
           let members = signed["\(alias).is_member"]
        {
            assertion.teams = members.split(separator: ",").map { OpenIDIdentifier.trimmed(String($0)) }.filter { !$0.isEmpty }
        }
    }
}
