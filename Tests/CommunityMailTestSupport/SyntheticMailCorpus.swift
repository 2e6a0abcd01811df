public import Foundation

/// A large mailbox made up on the spot, the same on every run: messages of varied size and
/// structure (short notes, long reports, multipart/alternative, base64 attachments, 8-bit
/// UTF-8 bodies, an embedded message), CRLF line ends, distinct internal dates and a mix of
/// flags. For the IMAP sync-client tests and `bench imap`, which load it into Dovecot and
/// into our server alike.
public enum SyntheticMailCorpus {
    /// The word that message `index` holds in its body when `index % 50 == 7` (200 of
    /// 10,000): what `UID SEARCH TEXT` looks for.
    public static let rareWord = "quokka"

    private static let words = [
        "kernel", "package", "release", "mirror", "upload", "review", "community", "launchpad", "translation",
        "desktop", "server", "security", "archive", "meeting", "budget", "snap", "daily", "patch", "bug", "build",
    ]
    private static let senders = [
        "alice@example.org", "Bob Builder <bob@example.net>", "carol@ubuntu.example", "\"Dmitri P.\" <dmitri@example.ru>",
        "emile@example.fr", "=?UTF-8?B?WXVraSDlpKfmnKw=?= <yuki@example.jp>",
    ]

    /// Message `index`'s bytes.
    public static func message(_ index: Int) -> [UInt8] {
        var random = SplitMix64(seed: UInt64(index) &+ 0x1234_5678)
        func sentence(_ count: Int) -> String {
            (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
        }
        var header = [
            "From: \(senders[index % senders.count])",
            "To: alice@example.org",
            "Subject: \(words[index % words.count]) notes #\(index)",
            "Date: Mon, \(index % 28 + 1) Nov 2026 \(String(format: "%02d:%02d", index / 60 % 24, index % 60)):00 +0000",
            "Message-ID: <synthetic\(index)@example.org>",
        ]
        var body: [String] = []
        let mention = index % 50 == 7 ? " \(rareWord)" : ""
        switch index % 10 {
        case 0, 1, 2, 3:
            // A short note.
            body = ["Hello,", "", sentence(8) + mention + ".", "", "-- ", "member \(index % 97)"]
        case 4, 5:
            // A longer report: 40 to 200 lines.
            let lines = 40 + Int(random.next() % 160)
            body = (0..<lines).map { "\($0): " + sentence(10) } + ["end" + mention]
        case 6:
            header += ["MIME-Version: 1.0", "Content-Type: multipart/alternative; boundary=\"alt\(index)\""]
            body = [
                "--alt\(index)", "Content-Type: text/plain; charset=us-ascii", "", sentence(20) + mention, "--alt\(index)",
                "Content-Type: text/html; charset=us-ascii", "", "<p>" + sentence(20) + "</p>", "--alt\(index)--",
            ]
        case 7:
            // A base64 attachment of 1 to 24 KiB.
            let size = 1024 + Int(random.next() % (23 * 1024))
            let encoded = Data(random.bytes(size)).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            header += ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"mix\(index)\""]
            body = [
                "--mix\(index)", "Content-Type: text/plain; charset=us-ascii", "", "See the attachment." + mention, "--mix\(index)",
                "Content-Type: application/octet-stream; name=\"data\(index).bin\"", "Content-Transfer-Encoding: base64",
                "Content-Disposition: attachment; filename=\"data\(index).bin\"", "",
            ] + encoded.components(separatedBy: "\n") + ["--mix\(index)--"]
        case 8:
            header += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            body = ["Grüße aus München, día \(index), 日本語のテキスト." + mention, sentence(12)]
        default:
            header += ["MIME-Version: 1.0", "Content-Type: message/rfc822"]
            body = [
                "From: inner\(index)@example.com", "Subject: forwarded " + sentence(3), "Date: Sun, 1 Nov 2026 08:00:00 +0000", "",
                sentence(15) + mention,
            ]
        }
        return Array((header + [""] + body).joined(separator: "\r\n").utf8) + [13, 10]
    }

    /// Message `index`'s flags: every third seen, every 17th flagged, every 29th answered.
    public static func flags(_ index: Int) -> [String] {
        var flags: [String] = []
        if index % 29 == 0 { flags.append("\\Answered") }
        if index % 17 == 0 { flags.append("\\Flagged") }
        if index % 3 == 0 { flags.append("\\Seen") }
        return flags
    }

    /// Message `index`'s internal date: a minute apart, from 1 Nov 2026.
    public static func internalDate(_ index: Int) -> Date { Date(timeIntervalSince1970: 1_793_491_200 + TimeInterval(index) * 60) }

    /// Messages 0..<`count` for Dovecot's Maildir.
    public static func dovecotMessages(_ count: Int) -> [DovecotIMAPServer.Message] {
        (0..<count).map { DovecotIMAPServer.Message(bytes: message($0), flags: flags($0), internalDate: internalDate($0)) }
    }
}
