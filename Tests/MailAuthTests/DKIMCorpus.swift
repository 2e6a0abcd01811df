import Foundation
import CommunityMailTestSupport

/// Seeded messages that exercise DKIM canonicalization: folded and repeated header fields,
/// whitespace runs and tabs, names in any case, 8-bit bodies (UTF-8 and Latin-1), long
/// lines, trailing blank lines, empty bodies, bodies without a final line ending, and whole
/// messages with bare-LF line endings. The same seed gives the same corpus everywhere.
///
/// Left out on purpose: a last body line with no line ending *and* trailing whitespace,
/// where dkimpy 1.1.8's relaxed body keeps one space and RFC 6376 keeps none
/// (DKIMInteropTests pins that difference separately).
enum DKIMCorpus {
    static func messages(count: Int, seed: UInt64 = 0x444B_494D) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { message(index: $0, random: &random) }
    }

    private static func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T { items[Int(random.next() % UInt64(items.count))] }
    private static func chance(_ percent: UInt64, _ random: inout SplitMix64) -> Bool { random.next() % 100 < percent }

    private static let words = [
        "forward", "alias", "ubuntu", "member", "launchpad", "mail", "relay", "café", "naïve", "Grüße", "日本語", "tab\there",
        "spaces  inside", "end", "x", "semi;colon", "colon:", "quote\"d", "équipe", "ñ",
    ]

    private static func text(_ random: inout SplitMix64, words count: Int) -> String {
        (0..<count).map { _ in pick(words, &random) }.joined(separator: pick([" ", "  ", "\t", " \t "], &random))
    }

    private static func message(index: Int, random: inout SplitMix64) -> [UInt8] {
        var header: [String] = []
        func name(_ base: String) -> String {
            switch random.next() % 4 {
            case 0: base.lowercased()
            case 1: base.uppercased()
            default: base
            }
        }
        let received = Int(random.next() % 4)
        for hop in 0..<received {
            header.append("Received: from mx\(hop).example.net (mx\(hop).example.net [192.0.2.\(hop + 1)])\r\n\tby relay.example.org; Mon, 7 Dec 2026 06:0\(hop):00 +0000")
        }
        header.append("\(name("From")):\(pick([" ", "  ", "\t", ""], &random))Sender \(index) <sender\(index)@example.org>")
        let recipients = 1 + Int(random.next() % 3)
        for recipient in 0..<recipients {
            header.append("\(name("To")): member\(recipient)@ubuntu.example")
        }
        if chance(40, &random) { header.append("Cc: a@example.com,\r\n  b@example.com,\r\n\tc@example.com") }
        var subject = "Subject: " + text(&random, words: 2 + Int(random.next() % 30))
        if chance(50, &random) {
            // Folded at a space, as a long subject would be.
            if let space = subject.dropFirst(12).firstIndex(of: " ") {
                subject.replaceSubrange(space...space, with: pick(["\r\n ", "\r\n\t", "\r\n   "], &random))
            }
        }
        if chance(20, &random) { subject += pick(["  ", "\t", " \t"], &random) }
        header.append(subject)
        header.append("Date: Mon, 7 Dec 2026 06:\(String(format: "%02d", index % 60)):00 +0000")
        header.append("Message-ID: <\(index).\(random.next() % 1_000_000)@example.org>")
        if chance(70, &random) { header.append("MIME-Version: 1.0") }
        let eightBit = chance(40, &random)
        let latin1 = eightBit && chance(30, &random)
        header.append("Content-Type: text/plain;\r\n charset=\"\(latin1 ? "iso-8859-1" : "utf-8")\"")
        if eightBit { header.append("Content-Transfer-Encoding: 8bit") }
        let extra = Int(random.next() % (chance(10, &random) ? 60 : 5))
        for number in 0..<extra {
            header.append("X-Extra-\(number % 7):  value \(number)\t with  runs ")
        }
        if chance(15, &random) { header.append("Comments: first"); header.append("Comments: second") }

        var lines: [[UInt8]] = []
        let shape = random.next() % 10
        switch shape {
        case 0: break  // empty body
        case 1: lines = Array(repeating: [], count: 1 + Int(random.next() % 4))  // only empty lines
        default:
            let count = 1 + Int(random.next() % 40)
            for _ in 0..<count {
                switch random.next() % 12 {
                case 0: lines.append([])
                case 1: lines.append(Array(String(repeating: "long line ", count: 100 + Int(random.next() % 400)).utf8))
                case 2: lines.append(Array(pick(["  ", "\t", " \t "], &random).utf8))
                case 3: lines.append(Array((text(&random, words: 8) + pick(["  ", "\t", " "], &random)).utf8))
                case 4: lines.append(Array((pick(["  ", "\t"], &random) + text(&random, words: 5)).utf8))
                default: lines.append(Array(text(&random, words: 1 + Int(random.next() % 12)).utf8))
                }
            }
            if latin1 { lines.append([0x47, 0x72, 0xFC, 0xDF, 0x65, 0x20, 0xE9, 0xE0]) }
            if chance(30, &random) { lines += Array(repeating: [], count: 1 + Int(random.next() % 5)) }
        }
        let bareLF = index % 10 == 9
        let newline: [UInt8] = bareLF ? [0x0a] : [0x0d, 0x0a]
        var bytes: [UInt8] = []
        for field in header {
            bytes += Array(field.utf8).split(separator: 0x0a, omittingEmptySubsequences: false).map { line -> [UInt8] in
                var line = Array(line)
                if line.last == 0x0d { line.removeLast() }
                return line
            }.joined(separator: newline)
            bytes += newline
        }
        bytes += newline
        let unterminated = chance(15, &random) && lines.last.map { !$0.isEmpty && $0.last != 0x20 && $0.last != 0x09 } == true
        for (number, line) in lines.enumerated() {
            bytes += line
            if !(unterminated && number == lines.count - 1) { bytes += newline }
        }
        return bytes
    }
}
