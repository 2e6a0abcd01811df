public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dovecot 2.3's IMAP server (Debian's dovecot-imapd), started on loopback for one test or
/// benchmark: its own configuration, state and Maildir in a temporary folder, user `alice`
/// with password `secret1`, the given messages in INBOX with the given UIDs, flags and
/// internal dates, STARTTLS (and an IMAPS port) with the given certificate, the five RFC 6154
/// special-use folders and INBOX subscribed, `/` as the hierarchy separator and a quota (so that LIST,
/// NAMESPACE and GETQUOTAROOT can be compared with ours). Stopped by ``stop()``.
public final class DovecotIMAPServer: Sendable {
    /// One message to place in INBOX before Dovecot starts.
    public struct Message: Sendable {
        /// The message's bytes, stored as they are.
        public var bytes: [UInt8]
        /// System flags (`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`) and keywords.
        public var flags: [String]
        /// The internal date (the Maildir file's modification time).
        public var internalDate: Date

        /// A message with `flags` received at `internalDate`.
        public init(bytes: [UInt8], flags: [String] = [], internalDate: Date) {
            self.bytes = bytes
            self.flags = flags
            self.internalDate = internalDate
        }
    }

    /// One message as Dovecot's Maildir holds it (read back by ``inbox()``).
    public struct StoredMessage: Sendable, Equatable {
        /// Its UID in INBOX.
        public var uid: UInt32
        /// Its flags and keywords, sorted.
        public var flags: [String]
        /// Its bytes.
        public var bytes: [UInt8]
    }

    /// The login.
    public static let user = DovecotProcess.user
    /// The password.
    public static let password = DovecotProcess.password
    /// INBOX's UIDVALIDITY.
    public static let uidValidity: UInt32 = 1_700_000_000

    /// The temporary folder holding everything of this instance.
    public let folder: TemporaryDirectory
    /// The IMAP port (STARTTLS when a certificate was given).
    public let port: UInt16
    /// The IMAPS port, when a certificate was given.
    public let implicitTLSPort: UInt16?
    private let process: DovecotProcess

    /// True when dovecot and its imap binary are installed.
    public static var isInstalled: Bool {
        TestPeers.executable("dovecot") != nil && FileManager.default.fileExists(atPath: "/usr/lib/dovecot/imap")
    }

    private init(folder: TemporaryDirectory, port: UInt16, implicitTLSPort: UInt16?, process: DovecotProcess) {
        self.folder = folder
        self.port = port
        self.implicitTLSPort = implicitTLSPort
        self.process = process
    }

    /// The Maildir of `alice`.
    public var maildir: URL { DovecotProcess.maildir(in: folder) }

    /// Starts Dovecot with `messages` in INBOX (UIDs 1, 2, ... in order); `certificateChain`
    /// and `privateKey` (PEM files) turn on STARTTLS and an IMAPS port.
    public static func start(
        messages: [Message], certificateChain: String? = nil, privateKey: String? = nil
    ) async throws -> DovecotIMAPServer {
        guard isInstalled else { throw PeerError("dovecot is not installed (dovecot-imapd)") }
        let folder = try TemporaryDirectory(prefix: "dovecot-imap")
        let maildir = DovecotProcess.maildir(in: folder)
        try await BlockingWork.run { try writeMaildir(maildir, messages: messages) }
        let port = try ChildProcess.freePort()
        let tls = certificateChain.flatMap { chain in privateKey.map { (chain, $0) } }
        let implicitTLSPort = tls == nil ? nil : try ChildProcess.freePort()
        let configuration = try configurationText(folder: folder, port: port, implicitTLSPort: implicitTLSPort, tls: tls)
        let process = try await DovecotProcess.start(configuration: configuration, in: folder, listeningOn: port)
        return DovecotIMAPServer(folder: folder, port: port, implicitTLSPort: implicitTLSPort, process: process)
    }

    /// Dovecot's log so far (for failure messages).
    public var log: String { process.log }

    /// Stops Dovecot and waits for it to exit.
    public func stop() async { await process.stop() }

    /// INBOX as Dovecot's Maildir holds it now, in UID order: UIDs from `dovecot-uidlist`,
    /// flags from the file names (and `dovecot-keywords`), bytes from the files.
    public func inbox() async throws -> [StoredMessage] {
        let maildir = self.maildir
        return try await BlockingWork.run { try Self.readMaildir(maildir) }
    }

    // MARK: The Maildir

    /// Maildir info letters of the system flags (the Maildir specification).
    static let flagLetters: [String: Character] = ["\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"]

    private static func writeMaildir(_ maildir: URL, messages: [Message]) throws {
        let manager = FileManager.default
        for sub in ["cur", "new", "tmp"] {
            try manager.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // Keywords get the letters a, b, ... in the order they first appear.
        var keywords: [String] = []
        for message in messages {
            for flag in message.flags where !flag.hasPrefix("\\") && !keywords.contains(flag) { keywords.append(flag) }
        }
        guard keywords.count <= 26 else { throw PeerError("Maildir holds at most 26 keywords") }
        // dovecot-uidlist pins the UIDs and UIDVALIDITY (version 3: `uid :basename`).
        var uidList = "3 V\(uidValidity) N\(messages.count + 1)\n"
        for (index, message) in messages.enumerated() {
            let seconds = Int(message.internalDate.timeIntervalSince1970)
            let base = "\(seconds).M\(index + 1)P1.communitymail"
            var info = String(message.flags.compactMap { flagLetters[$0] }.sorted())
            info += String(keywords.indices.filter { message.flags.contains(keywords[$0]) }.map { Character(UnicodeScalar(UInt8(97 + $0))) })
            let path = maildir.appendingPathComponent("cur/\(base):2,\(info)").path
            guard manager.createFile(atPath: path, contents: Data(message.bytes)) else { throw PeerError("cannot write \(path)") }
            var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
            utimensat(AT_FDCWD, path, &times, 0)
            uidList += "\(index + 1) :\(base)\n"
        }
        try uidList.write(to: maildir.appendingPathComponent("dovecot-uidlist"), atomically: true, encoding: .utf8)
        if !keywords.isEmpty {
            let text = keywords.enumerated().map { "\($0.offset) \($0.element)\n" }.joined()
            try text.write(to: maildir.appendingPathComponent("dovecot-keywords"), atomically: true, encoding: .utf8)
        }
    }

    private static func readMaildir(_ maildir: URL) throws -> [StoredMessage] {
        let uidList = try String(contentsOf: maildir.appendingPathComponent("dovecot-uidlist"), encoding: .utf8)
        var uidOfBase: [String: UInt32] = [:]
        for line in uidList.split(separator: "\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":"), let uid = line.split(separator: " ").first.flatMap({ UInt32($0) }) else { continue }
            let base = String(line[line.index(after: colon)...])
            uidOfBase[base] = uid
            // Files Dovecot wrote itself carry `,S=<size>,W=<vsize>` in the base name.
            if let comma = base.firstIndex(of: ",") { uidOfBase[String(base[..<comma])] = uid }
        }
        var keywords: [Int: String] = [:]
        if let text = try? String(contentsOf: maildir.appendingPathComponent("dovecot-keywords"), encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let number = Int(parts[0]) { keywords[number] = String(parts[1]) }
            }
        }
        let letterFlags = Dictionary(uniqueKeysWithValues: flagLetters.map { ($0.value, $0.key) })
        var messages: [StoredMessage] = []
        for sub in ["cur", "new"] {
            let directory = maildir.appendingPathComponent(sub)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let parts = name.components(separatedBy: ":2,")
                let base = parts[0]
                let shortBase = base.firstIndex(of: ",").map { String(base[..<$0]) } ?? base
                guard let uid = uidOfBase[base] ?? uidOfBase[shortBase] else { throw PeerError("\(sub)/\(name) has no UID in dovecot-uidlist") }
                var flags: [String] = []
                for letter in parts.count > 1 ? parts[1] : "" {
                    if let flag = letterFlags[letter] {
                        flags.append(flag)
                    } else if let ascii = letter.asciiValue, ascii >= 97, let keyword = keywords[Int(ascii) - 97] {
                        flags.append(keyword)
                    }
                }
                let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
                messages.append(StoredMessage(uid: uid, flags: flags.sorted(), bytes: bytes))
            }
        }
        return messages.sorted { $0.uid < $1.uid }
    }

    // MARK: The configuration

    private static func configurationText(
        folder: TemporaryDirectory, port: UInt16, implicitTLSPort: UInt16?, tls: (chain: String, key: String)?
    ) throws -> String {
        let specialUse = ["Sent", "Drafts", "Trash", "Junk", "Archive"].map { name in
            """
              mailbox \(name) {
                special_use = \\\(name)
                auto = subscribe
              }
            """
        }.joined(separator: "\n")
        let ssl = tls.map { "ssl = yes\nssl_cert = <\($0.chain)\nssl_key = <\($0.key)\nssl_min_protocol = TLSv1.2" } ?? "ssl = no"
        return try DovecotProcess.commonSettings(folder: folder, protocols: "imap", ssl: ssl) + """
            mail_plugins = $mail_plugins quota
            protocol imap {
              mail_plugins = $mail_plugins imap_quota
            }
            plugin {
              quota = count:User quota
              quota_rule = *:storage=1G:messages=1000000
              quota_vsizes = yes
            }
            namespace inbox {
              inbox = yes
              separator = /
              prefix =
              mailbox INBOX {
                auto = subscribe
              }
            \(specialUse)
            }
            service imap-login {
              inet_listener imap {
                port = \(port)
              }
              inet_listener imaps {
                port = \(implicitTLSPort ?? 0)
              }
            }

            """
    }
}
