/// Why a record, a macro string or a domain-spec does not follow RFC 7208's grammar. Its
/// message names the rule broken, never the text (which may carry an address).
struct SPFSyntaxError: Error, Hashable, Sendable {
    /// The rule broken, in a few words.
    let message: String

    init(_ message: String) { self.message = message }
}
