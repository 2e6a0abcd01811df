import CommunityMailTestSupport
import Foundation

/// Dovecot 2.3 (dovecot-imapd) as PEERS.md runs it: its own configuration, state and
/// Maildir in a temporary folder, user `alice` with password `secret1`, IMAP on a loopback
/// port (or none for `imapPort` 0), stopped when the test releases it.
final class IMAPDovecotPeer: Sendable {
    let folder: TemporaryDirectory
    let configurationPath: String
    let server: ChildProcess

    init(dovecot: URL, imapPort: UInt16) throws {
        let folder = try TemporaryDirectory(prefix: "imap-dovecot")
        let root = folder.url.path
        let manager = FileManager.default
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        for name in ["base", "state", "mail/alice/Maildir/cur", "mail/alice/Maildir/new", "mail/alice/Maildir/tmp"] {
            try manager.createDirectory(atPath: folder.path(name), withIntermediateDirectories: true)
        }
        try "alice:{PLAIN}secret1::::::\n".write(toFile: folder.path("users"), atomically: true, encoding: .utf8)
        let configuration = """
            base_dir = \(root)/base
            state_dir = \(root)/state
            log_path = \(root)/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain
            mail_location = maildir:~/Maildir
            passdb {
              driver = passwd-file
              args = username_format=%u \(root)/users
            }
            userdb {
              driver = passwd-file
              args = username_format=%u \(root)/users
              default_fields = uid=nobody gid=nogroup home=\(root)/mail/%u
            }
            service imap-login {
              inet_listener imap {
                port = \(imapPort)
              }
              inet_listener imaps {
                port = 0
              }
            }

            """
        let configurationPath = folder.path("dovecot.conf")
        try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        for path in [folder.path("mail"), folder.path("mail/alice"), folder.path("mail/alice/Maildir")]
            + ["cur", "new", "tmp"].map({ folder.path("mail/alice/Maildir/\($0)") })
        {
            try manager.setAttributes([.ownerAccountName: "nobody", .groupOwnerAccountName: "nogroup"], ofItemAtPath: path)
        }
        self.folder = folder
        self.configurationPath = configurationPath
        server = try ChildProcess(dovecot, ["-F", "-c", configurationPath])
    }
}
