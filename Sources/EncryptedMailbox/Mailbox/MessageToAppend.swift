public import Foundation

/// One message for ``Mailbox/append(contentsOf:to:)``: its bytes and what to store with them.
public struct MessageToAppend: Sendable, Hashable {
    /// The raw RFC 5322 message, stored byte-exact.
    public var content: [UInt8]
    /// System flags to set.
    public var flags: MessageFlags
    /// Keywords to set (IMAP atoms).
    public var keywords: [String]
    /// When it arrived; kept to the second.
    public var internalDate: Date

    /// A message to append; by default with no flags or keywords, arrived now.
    public init(_ content: [UInt8], flags: MessageFlags = [], keywords: [String] = [], internalDate: Date = Date()) {
        self.content = content
        self.flags = flags
        self.keywords = keywords
        self.internalDate = internalDate
    }
}
