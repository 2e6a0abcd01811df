import EncryptedMailbox

/// A message's flags as IMAP writes them: system flags in ``MessageFlags/named`` order,
/// `\Recent` when the message is recent to the session, then its keywords. One place for
/// the order, so every FETCH and STORE reply, built or encoded straight, agrees.
enum IMAPFlagNames {
    /// The names, as a FETCH FLAGS item carries them.
    static func names(_ flags: MessageFlags, keywords: [String], recent: Bool) -> [String] {
        let system = systemNames[systemIndex(flags)]
        if recent { return system + [recentName] + keywords }
        return keywords.isEmpty ? system : system + keywords
    }

    /// Appends the names, space-separated, to `bytes`: the same bytes as ``names(_:keywords:recent:)``
    /// joined, with no array or string built.
    static func append(_ flags: MessageFlags, keywords: [String], recent: Bool, to bytes: inout [UInt8]) {
        let system = systemBytes[systemIndex(flags)]
        bytes.append(contentsOf: system)
        var separate = !system.isEmpty
        if recent {
            if separate { bytes.append(0x20) }
            bytes.append(contentsOf: recentName.utf8)
            separate = true
        }
        for keyword in keywords {
            if separate { bytes.append(0x20) }
            bytes.append(contentsOf: keyword.utf8)
            separate = true
        }
    }

    static let recentName = "\\Recent"

    /// `MessageFlags.imapNames` reads only the five system bits, so a table of the 32
    /// combinations answers every value, built once.
    private static func systemIndex(_ flags: MessageFlags) -> Int { flags.rawValue & 0x1F }
    private static let systemNames: [[String]] = (0..<32).map { MessageFlags(rawValue: $0).imapNames }
    private static let systemBytes: [[UInt8]] = systemNames.map { Array($0.joined(separator: " ").utf8) }
}
