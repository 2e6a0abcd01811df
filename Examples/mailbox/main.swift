// `mailbox <dir> <user> <command>`: one user's mailbox in a MailboxStore directory.
//
//   create                    make the mailbox (INBOX and the special-use folders)
//   import <mbox> [folder]    append an mbox file's messages (default folder INBOX)
//   folders                   list folders with their counts, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ
//   list <folder>             one line per message: UID, flags, internal date, From, Subject
//   search <query> [folder]   the same lines for messages matching <query> (see SearchQuery syntax)
//   export <mbox> [folder]    write a folder to an mboxrd file (default INBOX)
//
// The passphrase comes from the environment variable MAILBOX_PASSPHRASE, never from argv,
// and goes to the store's database opener, which decides what to do with it.
import CommunityMailMessage
import EncryptedMailbox
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("mailbox: \(message)\n".utf8))
    exit(1)
}

let usage = "usage: mailbox <dir> <user> create | import <mbox> [folder] | folders | list <folder> | search <query> [folder] | export <mbox> [folder]"
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 3 else { fail(usage) }
let (directory, user, command) = (arguments[0], arguments[1], arguments[2])
let rest = Array(arguments.dropFirst(3))
let passphrase = ProcessInfo.processInfo.environment["MAILBOX_PASSPHRASE"].flatMap { $0.isEmpty ? nil : $0 }

func line(_ message: FetchedMessage) -> String {
    let flags = message.flags.imapNames + message.keywords
    let date = ISO8601DateFormatter().string(from: message.internalDate)
    return "\(message.uid)\t\(flags.isEmpty ? "-" : flags.joined(separator: " "))\t\(date)\t\(message.envelope.from)\t\(message.envelope.subject)"
}

do {
    let store = try MailboxStore(directory: URL(fileURLWithPath: directory))
    let opener = MailboxDatabaseOpener.standard
    FileHandle.standardError.write(Data("mailbox: opener: \(opener.name)\n".utf8))
    guard passphrase != nil || !opener.encrypts else {
        fail("mailboxes are encrypted: set MAILBOX_PASSPHRASE to the mailbox's passphrase")
    }
    let mailbox: SQLiteMailbox
    switch command {
    case "create":
        mailbox = try store.create(userID: user, passphrase: passphrase)
        print("created mailbox \(try store.identifier(for: user))")
    case "folders", "list", "search":
        mailbox = try store.open(userID: user, passphrase: passphrase, readOnly: true)
    default:
        mailbox = try store.open(userID: user, passphrase: passphrase)
    }
    switch command {
    case "create":
        break
    case "import":
        guard let file = rest.first else { fail(usage) }
        let appended = try await mailbox.importMbox(from: URL(fileURLWithPath: file), into: rest.count > 1 ? rest[1] : "INBOX")
        print("imported \(appended.count) messages")
    case "folders":
        print("folder\tspecial-use\tmessages\tunseen\tuidvalidity\tuidnext\thighestmodseq\tsubscribed")
        for folder in try await mailbox.folders() {
            print("\(folder.name)\t\(folder.specialUse?.rawValue ?? "-")\t\(folder.messageCount)\t\(folder.unseenCount)\t\(folder.uidValidity)\t\(folder.uidNext)\t\(folder.highestModSeq)\t\(folder.isSubscribed ? "yes" : "no")")
        }
    case "list":
        guard let folder = rest.first else { fail(usage) }
        for message in try await mailbox.fetch(.all, in: folder, content: .metadata) { print(line(message)) }
    case "search":
        guard let text = rest.first else { fail(usage) }
        let folder = rest.count > 1 ? rest[1] : "INBOX"
        let uids = try await mailbox.search(try SearchQuery(parsing: text), in: folder)
        for message in try await mailbox.fetch(UIDSet(uids), in: folder, content: .metadata) { print(line(message)) }
    case "export":
        guard let file = rest.first else { fail(usage) }
        let count = try await mailbox.exportMbox(folder: rest.count > 1 ? rest[1] : "INBOX", to: URL(fileURLWithPath: file))
        print("exported \(count) messages")
    default:
        fail(usage)
    }
    await mailbox.close()
} catch let error as MailboxError {
    fail(error.message)
} catch {
    fail("\(error)")
}
