import EncryptedMailbox

extension IMAPSession {
    /// Flags as a client sent them (STORE, APPEND), split into system flags and keywords.
    /// `\Recent` is session state and ignored (RFC 3501 section 2.3.2); any other unknown
    /// `\` flag ends the command with BAD.
    static func parseFlags(_ names: [String]) throws -> (flags: MessageFlags, keywords: [String]) {
        var flags: MessageFlags = []
        var keywords: [String] = []
        for name in names {
            if name.hasPrefix("\\") {
                if name.lowercased() == "\\recent" { continue }
                guard let flag = MessageFlags(imapName: name) else {
                    throw IMAPCommandFailure(.bad("unknown system flag"), reportsExpunges: false)
                }
                flags.insert(flag)
            } else if !keywords.contains(where: { $0.lowercased() == name.lowercased() }) {
                keywords.append(name)
            }
        }
        return (flags, keywords)
    }
}
