import Foundation

/// The forwarder's trace field (RFC 5321 section 4.4) and the loop check on the ones a
/// message already carries.
enum ReceivedHeader {
    /// The `Received:` field to prepend, CRLF-terminated, folded:
    ///
    ///     Received: from client.example
    ///             by mx.example with ESMTPS;
    ///             Mon, 07 Dec 2026 01:51:36 +0000
    ///
    /// The FROM clause has the EHLO name only: section 4.4 asks for the client's address
    /// literal with a SHOULD, and we leave it out, like the FOR clause, so the forwarded
    /// copy does not say where or to whom the sender wrote. The protocol is
    /// ``protocolName(extended:overTLS:smtputf8:)``'s. A name that is not a plain domain or
    /// address literal (a hostile client's EHLO) is written as "unknown".
    static func field(clientName: String?, serverName: String, protocolName: String, date: Date) -> [UInt8] {
        let from = clientName.flatMap { isPlainName($0) ? $0 : nil } ?? "unknown"
        let by = isPlainName(serverName) ? serverName : "unknown"
        let text = "Received: from \(from)\r\n\tby \(by) with \(protocolName);\r\n\t\(dateTime(date))\r\n"
        return Array(text.utf8)
    }

    /// The WITH clause's protocol: `SMTP` after HELO, `ESMTP` after EHLO, `ESMTPS` over
    /// TLS (RFC 3848: STARTTLS is an extension, so TLS means ESMTP whatever the greeting
    /// after it); `UTF8SMTP` or `UTF8SMTPS` for a message sent with SMTPUTF8 (RFC 6531
    /// section 3.7.3).
    static func protocolName(extended: Bool, overTLS: Bool, smtputf8: Bool) -> String {
        if smtputf8 { return overTLS ? "UTF8SMTPS" : "UTF8SMTP" }
        if overTLS { return "ESMTPS" }
        return extended ? "ESMTP" : "SMTP"
    }

    /// Letters, digits and `-._:[]`, 1 to 255 of them: a domain or an address literal.
    static func isPlainName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...255).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"): true
            default: false
            }
        }
    }

    /// RFC 5322 section 3.3 date-time in UTC: `Mon, 07 Dec 2026 01:51:36 +0000`.
    static func dateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = days[((parts.weekday ?? 1) - 1 + 7) % 7], month = months[((parts.month ?? 1) - 1 + 12) % 12]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(day), \(two(parts.day)) \(month) \(parts.year ?? 1970) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// How many `Received:` fields the header block of `content` has (the name compared
    /// without regard to ASCII case; whitespace before the colon tolerated, RFC 5322's
    /// obsolete syntax). Stops at the first empty line; continuation lines are skipped.
    static func count(in content: [UInt8]) -> Int {
        let name = Array("received".utf8)
        var count = 0
        var lineStart = 0
        while lineStart < content.count {
            let lineEnd = content[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? content.count
            var line = content[lineStart..<lineEnd]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { break }
            if line.count > name.count, zip(line.prefix(name.count), name).allSatisfy({ ($0 | 0x20) == $1 }) {
                let rest = line.dropFirst(name.count).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                if rest.first == UInt8(ascii: ":") { count += 1 }
            }
            lineStart = lineEnd + 1
        }
        return count
    }
}
