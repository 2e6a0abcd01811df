import CommunityMailIDNA

/// The Public Suffix List (<https://publicsuffix.org>): which domains are registries
/// (`com`, `co.uk`, `github.io`), and so where an organisation's domain begins.
///
/// DMARC (RFC 7489 section 3.2) uses it to find a message's *organisational domain*: the
/// public suffix plus one label. Lookups are pure and fast (a few set look-ups per label);
/// build a list once and share it (it is immutable and `Sendable`).
///
/// Rules are held in A-label form (IDNA), so a name may be asked in either form and the
/// answers are in A-label form. Which sections are used is a ``Configuration`` choice:
/// by default both the ICANN and the PRIVATE sections, as `authheaders` (through
/// `publicsuffix2`) and `checkdmarc` (through `publicsuffixlist`) do, so that two
/// customers of one hosting domain (`alice.github.io`, `bob.github.io`) are separate
/// organisations and never align with each other.
public final class PublicSuffixList: Sendable {
    /// Which parts of the list to use.
    public struct Configuration: Sendable, Hashable {
        /// The sections whose rules are kept. Default: both (see the type's documentation);
        /// `[.icann]` gives the registries' view only.
        public var sections: Set<Section> = [.icann, .private]
        /// The largest list text accepted, in bytes. Default: 16 MiB (the list is about
        /// 250 KiB).
        public var maximumTextLength = 16 << 20
        /// The defaults above.
        public init() {}
    }

    /// The part of the list a rule comes from.
    public enum Section: String, Sendable, Hashable, CaseIterable {
        /// Between `===BEGIN ICANN DOMAINS===` and `===END ICANN DOMAINS===`: the
        /// registries' own suffixes.
        case icann
        /// Between `===BEGIN PRIVATE DOMAINS===` and its end: suffixes that companies offer
        /// to their customers (`github.io`, `blogspot.com`).
        case `private`
        /// Rules outside any marked section (lists written by hand).
        case unmarked
    }

    /// Names with exactly this rule (A-label text, e.g. `co.uk`).
    let exactRules: Set<String>
    /// For each wildcard rule `*.X`, the text `X`.
    let wildcardParents: Set<String>
    /// For each exception rule `!X`, the text `X`.
    let exceptionRules: Set<String>

    /// How many rules the list holds (exact, wildcard and exception rules together).
    public let ruleCount: Int
    /// Lines that looked like rules but could not be read (a label IDNA refuses, an empty
    /// label): skipped, so a list with one bad line still serves the rest.
    public let ignoredLineCount: Int

    init(exactRules: Set<String>, wildcardParents: Set<String>, exceptionRules: Set<String>, ignoredLineCount: Int) {
        self.exactRules = exactRules
        self.wildcardParents = wildcardParents
        self.exceptionRules = exceptionRules
        self.ruleCount = exactRules.count + wildcardParents.count + exceptionRules.count
        self.ignoredLineCount = ignoredLineCount
    }
}
