/// How ``Mailbox/exportAll(to:layout:)`` lays a mailbox out on disk.
public enum MailboxExportLayout: Sendable, Hashable {
    /// One mboxrd file per folder: `<folder path>.mbox`.
    case mbox
    /// One directory per folder with one `.eml` file per message.
    case eml
}
