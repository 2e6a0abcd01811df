extension IMAPCommandParser {
    /// Which non-synchronising literals (RFC 7888) the server announced.
    public enum NonSynchronizingLiterals: Sendable, Hashable {
        /// None: `{n+}` is a grammar error.
        case none
        /// LITERAL-: `{n+}` up to 4,096 octets.
        case literalMinus
        /// LITERAL+: `{n+}` of any size within the literal limits.
        case literalPlus
    }

    /// The parser's limits. Every one bounds memory or time a client can make the server
    /// spend before a command is complete.
    public struct Configuration: Sendable, Hashable {
        /// The longest line of a command, CRLF included, literals excluded. Default: 65,536
        /// (RFC 9051 section 4 asks servers to take at least 8,192; clients send long
        /// UID sets).
        public var maximumLineLength: Int = 65_536
        /// The largest literal in any command but APPEND (a LOGIN password, a SEARCH
        /// string). Default: 65,536.
        public var maximumLiteralSize: Int = 65_536
        /// The largest message APPEND takes: what APPENDLIMIT (RFC 7889) announces.
        /// Default: 50 MiB.
        public var maximumAppendSize: Int = 50 * 1024 * 1024
        /// The most bytes one command may hold: all its lines (APPEND's too) and the
        /// literals of any command but APPEND. Default: 1 MiB.
        public var maximumCommandSize: Int = 1024 * 1024
        /// The most bytes all literals of one APPEND may hold together (a MULTIAPPEND,
        /// RFC 3502, is buffered whole before it is stored). A literal that would pass it is
        /// refused when announced (`NO [TOOBIG]`), before any of it is read. Default:
        /// 100 MiB, two messages of the default ``maximumAppendSize``.
        public var maximumAppendTotalSize: Int = 100 * 1024 * 1024
        /// The deepest nesting of parentheses (SEARCH keys, LIST options). Deeper input is
        /// refused before any recursion. Default: 64.
        public var maximumNestingDepth: Int = 64
        /// The most items in one list: sequence ranges, flags, search keys, fetch items,
        /// patterns, literals in a command, messages of a MULTIAPPEND. Default: 10,000.
        public var maximumItems: Int = 10_000
        /// Which `{n+}` literals are taken. Default: ``NonSynchronizingLiterals/literalPlus``.
        public var nonSynchronizingLiterals: NonSynchronizingLiterals = .literalPlus

        /// The defaults.
        public init() {}
    }
}
