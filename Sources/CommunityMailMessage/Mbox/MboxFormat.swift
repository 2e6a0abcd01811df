public import Foundation

/// The mboxrd format: each message starts with a `From sender date` line and ends with a
/// blank line; body lines matching `>*From ` get one more `>` on writing and lose one on
/// reading, so any message survives a round trip.
///
/// A message whose last line lacks a line break gets one (mbox cannot tell them apart);
/// every other message round-trips byte-exact, and a file this writes is read back and
/// written again byte-identical.
public enum MboxFormat {
    /// The messages of an mbox file, in order. An empty input has none.
    /// - Throws: ``MailMessageError/invalidMbox`` when the input does not start with `From `.
    public static func read(_ data: [UInt8]) throws(MailMessageError) -> [MboxMessage] {
        guard !data.isEmpty else { return [] }
        guard startsWithFrom(data[...], at: 0) else {
            throw MailMessageError.invalidMbox.with(message: "an mbox file starts with a \"From \" line")
        }
        // Separator lines: "From " at the start of a line.
        var separators: [Int] = [0]
        var index = 0
        while let newline = data[index...].firstIndex(of: 0x0a) {
            index = newline + 1
            if startsWithFrom(data[...], at: index) { separators.append(index) }
        }
        var messages: [MboxMessage] = []
        messages.reserveCapacity(separators.count)
        for (position, start) in separators.enumerated() {
            let end = position + 1 < separators.count ? separators[position + 1] : data.count
            let lineEnd = data[start..<end].firstIndex(of: 0x0a).map { $0 + 1 } ?? end
            var fromLine = data[start..<lineEnd]
            while let last = fromLine.last, last == 0x0a || last == 0x0d { fromLine = fromLine.dropLast() }
            var body = data[lineEnd..<end]
            // The blank line that ends each message belongs to the format.
            if body.count >= 2, body.last == 0x0a, body[body.endIndex - 2] == 0x0a { body = body.dropLast() }
            let (sender, date) = parseFromLine(String(decoding: fromLine.dropFirst(5), as: UTF8.self))
            messages.append(MboxMessage(content: unquote(body), sender: sender, date: date))
        }
        return messages
    }

    /// `messages` as an mboxrd file.
    public static func write(_ messages: [MboxMessage]) -> [UInt8] {
        var output: [UInt8] = []
        for message in messages { append(message, to: &output) }
        return output
    }

    /// Appends one message, with its `From ` line and closing blank line, to `output`.
    public static func append(_ message: MboxMessage, to output: inout [UInt8]) {
        let sender = message.sender.isEmpty || message.sender.contains(where: { $0.isWhitespace }) ? "MAILER-DAEMON" : message.sender
        output += Array("From \(sender) \(asctime(message.date ?? Date(timeIntervalSince1970: 0)))\n".utf8)
        quote(message.content, into: &output)
        if message.content.last != 0x0a { output.append(0x0a) }
        output.append(0x0a)
    }

    /// The sender an exported message's `From ` line names: the Return-Path address, else
    /// the From address, else `MAILER-DAEMON`.
    public static func envelopeSender(of message: [UInt8]) -> String {
        let header = HeaderBlock(message[...])
        for field in ["return-path", "from"] {
            guard let value = header.first(field) else { continue }
            var candidate = value
            if let open = value.lastIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
                candidate = String(value[value.index(after: open)..<close])
            }
            candidate = candidate.trimmingCharacters(in: .whitespaces)
            if !candidate.isEmpty, candidate.contains("@"), !candidate.contains(where: { $0.isWhitespace || $0 == "\"" }) {
                return candidate
            }
        }
        return "MAILER-DAEMON"
    }

    private static let from = Array("From ".utf8)

    private static func startsWithFrom(_ data: ArraySlice<UInt8>, at index: Int) -> Bool {
        index + 5 <= data.endIndex && data[index..<(index + 5)].elementsEqual(from)
    }

    /// Lines matching `>*From `: one `>` more.
    private static func quote(_ content: [UInt8], into output: inout [UInt8]) {
        output.reserveCapacity(output.count + content.count + 64)
        var lineStart = 0
        while lineStart < content.count {
            var probe = lineStart
            while probe < content.count, content[probe] == UInt8(ascii: ">") { probe += 1 }
            if startsWithFrom(content[...], at: probe) { output.append(UInt8(ascii: ">")) }
            let lineEnd = content[lineStart...].firstIndex(of: 0x0a).map { $0 + 1 } ?? content.count
            output += content[lineStart..<lineEnd]
            lineStart = lineEnd
        }
    }

    /// Lines matching `>+From `: one `>` less.
    private static func unquote(_ content: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count)
        var lineStart = content.startIndex
        while lineStart < content.endIndex {
            var probe = lineStart
            while probe < content.endIndex, content[probe] == UInt8(ascii: ">") { probe += 1 }
            let dropQuote = probe > lineStart && startsWithFrom(content, at: probe)
            let lineEnd = content[lineStart...].firstIndex(of: 0x0a).map { $0 + 1 } ?? content.endIndex
            output += content[(dropQuote ? lineStart + 1 : lineStart)..<lineEnd]
            lineStart = lineEnd
        }
        return output
    }

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `date` in the asctime form mbox uses, UTC: `Sat Jan  3 01:05:34 2026`.
    public static func asctime(_ date: Date) -> String {
        let c = MailDateParser.civil(fromSeconds: wholeSeconds(date))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = c.day < 10 ? " \(c.day)" : "\(c.day)"
        return "\(dayNames[c.weekday]) \(monthNames[c.month - 1]) \(day) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) \(c.year)"
    }

    /// `date` in whole seconds since 1970, rounded down and clamped to years 1...9999 (a
    /// `Date` can be infinite or far outside any calendar).
    private static func wholeSeconds(_ date: Date) -> Int64 {
        let value = date.timeIntervalSince1970
        guard value.isFinite else { return 0 }
        return Int64(min(max(value, -62_135_596_800), 253_402_300_799).rounded(.down))
    }

    /// The sender and date of a `From ` line's remainder; the date is asctime, UTC.
    static func parseFromLine(_ rest: String) -> (String, Date?) {
        let tokens = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let sender = tokens.first else { return ("MAILER-DAEMON", nil) }
        // asctime: Www Mmm d hh:mm:ss yyyy, possibly followed by a zone.
        let dateTokens = Array(tokens.dropFirst())
        guard dateTokens.count >= 5, let month = monthNames.firstIndex(of: dateTokens[1]), let day = Int(dateTokens[2]),
            (1...31).contains(day), let year = Int(dateTokens[4]), MailDateParser.validYears.contains(year)
        else { return (sender, nil) }
        let clock = dateTokens[3].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else {
            return (sender, nil)
        }
        let seconds = MailDateParser.daysFromCivil(year: year, month: month + 1, day: day) * 86_400
            + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])
        return (sender, Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
