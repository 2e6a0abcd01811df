/// The messages a POP3 session sees, fixed at login (RFC 1939 section 4: message numbers
/// do not change during a session): each message's UID in the member's INBOX, its size
/// as RETR sends it (less the CRLF RETR adds after a last line without a line end, as
/// Dovecot's LIST counts it), and its unique-id for UIDL.
public struct POP3Maildrop: Sendable, Hashable {
    /// One message of the maildrop.
    public struct Message: Sendable, Hashable {
        /// The message's UID in the folder.
        public var uid: UInt32
        /// Its size with every line ended by CRLF, before byte-stuffing (LIST, STAT).
        public var size: Int
        /// Its UIDL unique-id: 1 to 70 characters from 0x21 to 0x7E, stable across sessions.
        public var uniqueID: String

        /// A message from its parts.
        public init(uid: UInt32, size: Int, uniqueID: String) {
            self.uid = uid
            self.size = size
            self.uniqueID = uniqueID
        }
    }

    /// The messages, numbered from 1 in this order (ascending UID).
    public var messages: [Message]

    /// A maildrop of `messages` (in the order numbers are given).
    public init(messages: [Message]) { self.messages = messages }

    /// The UIDL unique-id for `uid` in a folder of `uidValidity`: both in fixed-width hex,
    /// so it never repeats while the folder lives and changes when it is created anew
    /// (as IMAP clients drop cached UIDs on a new UIDVALIDITY, POP3 clients then fetch anew).
    public static func uniqueID(uidValidity: UInt32, uid: UInt32) -> String {
        hex(uidValidity) + hex(uid)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
