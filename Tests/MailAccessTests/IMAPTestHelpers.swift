import MailAccess

/// Shared helpers of the IMAP grammar suites: feeding a parser whole or byte by byte.
enum IMAPTestHelpers {
    /// The events `input` yields when fed in one piece.
    static func events(_ input: [UInt8], configuration: IMAPCommandParser.Configuration = .init(), utf8: Bool = false) -> [IMAPParserEvent] {
        var parser = IMAPCommandParser(configuration: configuration)
        parser.utf8MailboxNames = utf8
        parser.append(input)
        return drain(&parser)
    }

    /// The events `input` yields when fed one byte per read.
    static func eventsByteByByte(_ input: [UInt8], configuration: IMAPCommandParser.Configuration = .init(), utf8: Bool = false)
        -> [IMAPParserEvent]
    {
        var parser = IMAPCommandParser(configuration: configuration)
        parser.utf8MailboxNames = utf8
        var events: [IMAPParserEvent] = []
        for byte in input {
            parser.append([byte])
            events += drain(&parser)
        }
        return events
    }

    static func drain(_ parser: inout IMAPCommandParser) -> [IMAPParserEvent] {
        var events: [IMAPParserEvent] = []
        while let event = parser.next() { events.append(event) }
        return events
    }

    /// The one command in `line` (CRLF added when missing), checked to parse the same when
    /// fed byte by byte; nil when it did not parse.
    static func command(_ line: String, utf8: Bool = false) -> IMAPCommand? {
        command(Array(line.utf8), utf8: utf8)
    }

    static func command(_ input: [UInt8], utf8: Bool = false) -> IMAPCommand? {
        var bytes = input
        if bytes.last != 0x0a { bytes += [0x0d, 0x0a] }
        let whole = events(bytes, utf8: utf8).filter { $0 != .continuationRequest }
        let split = eventsByteByByte(bytes, utf8: utf8).filter { $0 != .continuationRequest }
        guard whole == split, whole.count == 1, case .command(let command) = whole[0] else { return nil }
        return command
    }

    /// The failure in `line`, if parsing it fails.
    static func failure(_ line: String, configuration: IMAPCommandParser.Configuration = .init(), utf8: Bool = false) -> IMAPParseFailure? {
        failure(Array(line.utf8), configuration: configuration, utf8: utf8)
    }

    static func failure(_ input: [UInt8], configuration: IMAPCommandParser.Configuration = .init(), utf8: Bool = false) -> IMAPParseFailure? {
        var bytes = input
        if bytes.last != 0x0a { bytes += [0x0d, 0x0a] }
        for event in events(bytes, configuration: configuration, utf8: utf8) {
            if case .failure(let failure) = event { return failure }
        }
        return nil
    }

    static func kind(_ line: String, utf8: Bool = false) -> IMAPCommand.Kind? { command(line, utf8: utf8)?.kind }

    static func set(_ ranges: [(UInt32, UInt32)]) -> IMAPSequenceSet {
        .ranges(ranges.map { IMAPSequenceRange(.number($0.0), .number($0.1)) })
    }

    static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
