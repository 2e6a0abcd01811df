/// One message of an APPEND: its flags, its internal date, and its bytes. Its description
/// gives the size, never the bytes, so a logged command holds no message text.
public struct IMAPAppendMessage: Sendable, Hashable, CustomStringConvertible {
    /// The flags to set (`\Seen`, keywords), as sent.
    public var flags: [String]
    /// The internal date, when given.
    public var internalDate: IMAPDateTime?
    /// The message bytes.
    public var data: [UInt8]
    /// True when sent as `literal8` (`~{n}`, RFC 3516): the bytes may hold NUL.
    public var isBinary: Bool

    /// A message from its parts.
    public init(flags: [String] = [], internalDate: IMAPDateTime? = nil, data: [UInt8], isBinary: Bool = false) {
        self.flags = flags
        self.internalDate = internalDate
        self.data = data
        self.isBinary = isBinary
    }

    /// Flags, date and size; not the message.
    public var description: String {
        "IMAPAppendMessage(flags: \(flags), internalDate: \(internalDate.map { "\($0)" } ?? "nil"), \(data.count) bytes\(isBinary ? ", binary" : ""))"
    }
}

/// STORE's action: set, add or remove flags, with or without the untagged FETCH back.
public struct IMAPStoreAction: Sendable, Hashable {
    /// How the flags change.
    public enum Mode: Sendable, Hashable {
        /// `FLAGS`: replace.
        case replace
        /// `+FLAGS`: add.
        case add
        /// `-FLAGS`: remove.
        case remove
    }

    /// How the flags change.
    public var mode: Mode
    /// `.SILENT`: no untagged FETCH for the change.
    public var silent: Bool
    /// The flags, as sent.
    public var flags: [String]

    /// An action from its parts.
    public init(mode: Mode, silent: Bool = false, flags: [String]) {
        self.mode = mode
        self.silent = silent
        self.flags = flags
    }
}
