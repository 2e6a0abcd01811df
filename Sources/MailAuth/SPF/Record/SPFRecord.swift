/// A parsed SPF record (RFC 7208 section 4.6): its mechanisms in order and the two
/// modifiers that mean something. Unknown modifiers are checked for syntax and dropped.
///
/// Made by ``init(parsing:)``, which refuses every syntax error the RFC names (section
/// 4.6: anywhere in the record, before anything is evaluated).
struct SPFRecord: Hashable, Sendable {
    /// The mechanisms, evaluated left to right.
    var mechanisms: [SPFMechanism] = []
    /// `redirect=domain-spec`, used when no mechanism matches.
    var redirect: SPFMacroString?
    /// `exp=domain-spec`: where a fail's explanation is.
    var explanation: SPFMacroString?
}
