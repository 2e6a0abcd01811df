/// A `macro-string` (RFC 7208 section 7.1), parsed: literal text and macros to expand.
///
/// Parsed once with the record, so a syntax error anywhere is found before evaluation;
/// expanded (``expanded(with:limit:)``) each time a term is evaluated.
struct SPFMacroString: Hashable, Sendable {
    /// One piece of the string.
    enum Token: Hashable, Sendable {
        /// Text copied as it is (`%%`, `%_` and `%-` are already turned into `%`, ` `, `%20`).
        case literal([UInt8])
        /// `%{...}`: a value from the check, transformed.
        case macro(SPFMacro)
    }

    /// The pieces, adjacent literals merged.
    let tokens: [Token]

    /// True when a macro needs the client's validated name (`%{p}`), which costs DNS queries.
    var usesValidatedName: Bool {
        tokens.contains { if case .macro(let macro) = $0 { macro.letter == .validatedName } else { false } }
    }

    init(tokens: [Token]) { self.tokens = tokens }
}
