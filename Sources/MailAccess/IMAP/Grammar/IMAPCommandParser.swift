/// The IMAP command parser: bytes in, typed commands out, with no I/O.
///
/// Feed whatever a read returned with ``append(_:)`` (a line may be split anywhere) and call
/// ``next()`` until it returns nil. The parser frames commands first (lines and the
/// literals they announce), then reads a whole command with ``IMAPCommandReader``:
///
/// - A synchronising literal `{n}` within the limits yields
///   ``IMAPParserEvent/continuationRequest``: send `+ ...`, the bytes follow.
/// - `{n+}` is taken without a continuation as ``Configuration/nonSynchronizingLiterals``
///   allows (LITERAL+, or LITERAL- up to 4,096 octets; RFC 7888).
/// - `~{n}` (literal8, RFC 3516) is framed the same way; only APPEND accepts it.
///
/// Limits are checked when a literal is announced, before any of it is buffered: a
/// synchronising literal over the limit is refused (`NO [TOOBIG]` for APPEND, `BAD
/// [TOOBIG]` otherwise) and never receives its continuation, so the client sends no bytes
/// and the connection goes on (RFC 9051 section 7.5). A non-synchronising one over the
/// limit is already on its way: the parser answers and asks to close rather than read and
/// discard it (RFC 7888 section 4 lets a server do either). A line over
/// ``Configuration/maximumLineLength`` also closes: without its end the parser cannot know
/// whether it announced a literal.
///
/// The parser pulls: after an event the session acts (changes mode with
/// ``expectIdleDone()`` or ``expectAuthenticationResponse()``, starts TLS) before it asks
/// for the next one, so pipelined input is never read in the wrong mode.
public struct IMAPCommandParser: Sendable {
    /// The limits. A server may change them between commands (tighter before login): each
    /// limit is checked when a line or literal is announced.
    public var configuration: Configuration
    /// Whether mailbox names are UTF-8 (after `ENABLE IMAP4rev2` or `ENABLE UTF8=ACCEPT`,
    /// RFC 6855); otherwise they are modified UTF-7 (RFC 3501 section 5.1.3).
    public var utf8MailboxNames = false

    private enum Mode: Sendable {
        case command, idleDone, authenticationResponse
    }

    private var input: [UInt8] = []
    private var inputIndex = 0
    /// Where the search for the next LF resumes (bytes before it hold none).
    private var scanIndex = 0
    /// The command so far: its lines and literals exactly as sent.
    private var command: [UInt8] = []
    private var literalRemaining = 0
    private var literalCount = 0
    /// Bytes of the command that count toward ``Configuration/maximumCommandSize``: every
    /// line, and the literals of any command but APPEND.
    private var countedBytes = 0
    /// The sum of an APPEND's literals so far (``Configuration/maximumAppendTotalSize``).
    private var appendLiteralBytes: UInt64 = 0
    private var mode: Mode = .command
    private var isClosed = false

    /// A parser with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard !isClosed else { return }
        input.append(contentsOf: bytes)
    }

    /// How many bytes are held: the input buffer (read and unread) and the command so far.
    public var bufferedByteCount: Int { input.count + command.count }

    /// Drops every byte read but not yet parsed, and any partial command: call it when the
    /// TLS handshake after STARTTLS starts. Bytes a client pipelined after STARTTLS came in
    /// plaintext and must not be taken as commands under TLS (the STARTTLS command
    /// injection attack; RFC 9051 section 6.2.1 requires the discard).
    /// - Returns: how many bytes were dropped.
    @discardableResult
    public mutating func discardBufferedInput() -> Int {
        let dropped = input.count - inputIndex + command.count
        input = []
        inputIndex = 0
        scanIndex = 0
        command = []
        resetCommand()
        mode = .command
        return dropped
    }

    /// Whether bytes of a command not yet answered are held: a partial line, a command
    /// waiting for its literal, or pipelined input not yet parsed.
    public var isCommandInProgress: Bool { !command.isEmpty || input.count > inputIndex }

    /// The tag of the command whose synchronising literal was just announced (after
    /// ``IMAPParserEvent/continuationRequest``), when it can be read.
    public var pendingCommandTag: String? { command.isEmpty ? nil : IMAPCommandReader.tag(in: command) }

    /// The verb of the command whose synchronising literal was just announced, uppercased
    /// (`UID` for UID commands): lets a session refuse a command that cannot succeed
    /// instead of asking for its literal.
    public var pendingCommandVerb: String? { command.isEmpty ? nil : IMAPCommandReader.verb(in: command) }

    /// Drops the command whose synchronising literal was just announced: the session
    /// answered it (tagged) instead of sending a continuation request, so the client sends
    /// no literal and its next bytes start a new command (RFC 9051 section 4.3). Call it
    /// only right after ``IMAPParserEvent/continuationRequest``.
    public mutating func refusePendingLiteral() {
        command.removeAll()
        resetCommand()
    }

    /// The next line is the `DONE` that ends IDLE (RFC 2177).
    public mutating func expectIdleDone() { mode = .idleDone }

    /// The next line is a client's SASL response (RFC 9051 section 6.2.2).
    public mutating func expectAuthenticationResponse() { mode = .authenticationResponse }

    /// The next event in the input so far, or nil when more bytes are needed (or after a
    /// failure that closes the connection).
    public mutating func next() -> IMAPParserEvent? {
        while !isClosed {
            if literalRemaining > 0 {
                let available = min(literalRemaining, input.count - inputIndex)
                guard available > 0 else { return nil }
                command.append(contentsOf: input[inputIndex..<(inputIndex + available)])
                inputIndex += available
                scanIndex = inputIndex
                literalRemaining -= available
                // A large literal read in many pieces must not stay twice in memory.
                compactInput()
                continue
            }
            guard let lineFeed = input[scanIndex...].firstIndex(of: 0x0a) else {
                scanIndex = input.count
                if input.count - inputIndex > configuration.maximumLineLength { return overlongLine() }
                return nil
            }
            let lineEnd = lineFeed + 1
            if lineEnd - inputIndex > configuration.maximumLineLength { return overlongLine() }
            let lineStart = command.count
            // The line's length from input indices: `lineStart` indexes the command, not the input.
            countedBytes += lineEnd - inputIndex
            command.append(contentsOf: input[inputIndex..<lineEnd])
            inputIndex = lineEnd
            scanIndex = lineEnd
            compactInput()
            switch mode {
            case .idleDone:
                mode = .command
                let line = takeCommand()
                if Self.content(of: line[...]).lowercased() == "done" { return .idleDone }
                // Only DONE is valid while idling (RFC 2177): any other line may announce a
                // literal whose bytes would then be read as commands, so framing is lost.
                close()
                return .failure(
                    IMAPParseFailure(
                        tag: nil, error: MailAccessError.protocolViolation.with(message: "expected DONE to end IDLE"),
                        disposition: .closeConnection))
            case .authenticationResponse:
                mode = .command
                return authenticationResponse(takeCommand())
            case .command:
                if let event = commandLineEnded(lineStart: lineStart) { return event }
            }
        }
        return nil
    }

    /// A line of the command ended at the end of ``command``: a literal follows, or the
    /// command is whole. Nil when reading goes on (a non-synchronising literal).
    private mutating func commandLineEnded(lineStart: Int) -> IMAPParserEvent? {
        guard let literal = Self.literalAnnouncement(command[lineStart...]) else {
            if countedBytes > configuration.maximumCommandSize {
                let tag = IMAPCommandReader.tag(in: command)
                command.removeAll()
                resetCommand()
                // The command ended here, so the next one can still be found.
                return .failure(
                    IMAPParseFailure(tag: tag, error: MailAccessError.limitExceeded.with(message: "the command is too long")))
            }
            let bytes = takeCommand()
            var reader = IMAPCommandReader(bytes, configuration: configuration, utf8MailboxNames: utf8MailboxNames)
            do {
                return .command(try reader.readCommand())
            } catch {
                return .failure(IMAPParseFailure(tag: reader.parsedTag, status: error.status, responseCode: error.code, error: error.error))
            }
        }
        let tag = IMAPCommandReader.tag(in: command)
        let isAppend = IMAPCommandReader.verb(in: command) == "APPEND"
        literalCount += 1
        var failure: IMAPParseFailure?
        let disposition: IMAPParseFailure.Disposition = literal.synchronizing ? .rejectCommand : .closeConnection
        if !literal.synchronizing && configuration.nonSynchronizingLiterals == .none {
            failure = IMAPParseFailure(
                tag: tag, error: MailAccessError.protocolViolation.with(message: "non-synchronizing literals are not supported"),
                disposition: .closeConnection)
        } else if literalCount > configuration.maximumItems {
            failure = IMAPParseFailure(
                tag: tag, error: MailAccessError.limitExceeded.with(message: "too many literals in one command"), disposition: disposition)
        } else if countedBytes > configuration.maximumCommandSize {
            // An APPEND's lines count too: otherwise many lines each announcing `{0+}` grow
            // one command without bound.
            failure = IMAPParseFailure(
                tag: tag, error: MailAccessError.limitExceeded.with(message: "the command is too long"), disposition: disposition)
        } else if isAppend && literal.size > UInt64(configuration.maximumAppendSize) {
            failure = IMAPParseFailure(
                tag: tag, status: .no, responseCode: .tooBig,
                error: MailAccessError.limitExceeded.with(message: "the message is larger than the server accepts"), disposition: disposition)
        } else if isAppend && appendLiteralBytes + literal.size > UInt64(max(configuration.maximumAppendTotalSize, 0)) {
            // Refused before the literal is buffered: a MULTIAPPEND's messages are held together.
            failure = IMAPParseFailure(
                tag: tag, status: .no, responseCode: .tooBig,
                error: MailAccessError.limitExceeded.with(message: "the messages together are larger than the server accepts"),
                disposition: disposition)
        } else if !isAppend
            && (literal.size > UInt64(configuration.maximumLiteralSize)
                || UInt64(countedBytes) + literal.size > UInt64(configuration.maximumCommandSize))
        {
            failure = IMAPParseFailure(
                tag: tag, responseCode: .tooBig, error: MailAccessError.limitExceeded.with(message: "the literal is too large"),
                disposition: disposition)
        }
        // `{n-}` is `{n+}` to a server; under LITERAL- both stop at 4,096 octets (RFC 7888 section 4).
        if failure == nil, !literal.synchronizing, configuration.nonSynchronizingLiterals == .literalMinus, literal.size > 4096 {
            failure = IMAPParseFailure(
                tag: tag, responseCode: .tooBig,
                error: MailAccessError.limitExceeded.with(message: "non-synchronizing literals over 4096 octets are not allowed"),
                disposition: .closeConnection)
        }
        if let failure {
            command.removeAll()
            resetCommand()
            if failure.disposition == .closeConnection { close() }
            return .failure(failure)
        }
        if isAppend { appendLiteralBytes += literal.size } else { countedBytes += Int(literal.size) }
        literalRemaining = Int(literal.size)
        return literal.synchronizing ? .continuationRequest : nil
    }

    private mutating func authenticationResponse(_ line: [UInt8]) -> IMAPParserEvent {
        let text = Self.content(of: line[...])
        if text == "*" { return .authenticationResponse(.cancelled) }
        guard let decoded = IMAPBase64.decode(Array(text.utf8)) else {
            return .failure(IMAPParseFailure(tag: nil, error: MailAccessError.protocolViolation.with(message: "the response is not base64")))
        }
        return .authenticationResponse(.response(IMAPSecret(decoded)))
    }

    private mutating func overlongLine() -> IMAPParserEvent {
        let tag = IMAPCommandReader.tag(in: command.isEmpty ? Array(input[inputIndex..<min(input.count, inputIndex + 256)]) : command)
        close()
        return .failure(
            IMAPParseFailure(
                tag: tag, error: MailAccessError.limitExceeded.with(message: "the line is too long"), disposition: .closeConnection))
    }

    private mutating func close() {
        isClosed = true
        input = []
        inputIndex = 0
        scanIndex = 0
        command = []
    }

    private mutating func takeCommand() -> [UInt8] {
        let bytes = command
        command = []
        resetCommand()
        return bytes
    }

    private mutating func resetCommand() {
        literalCount = 0
        countedBytes = 0
        appendLiteralBytes = 0
        literalRemaining = 0
    }

    /// Drops consumed input once it is at least half the buffer, so a long pipeline stays
    /// linear.
    private mutating func compactInput() {
        guard inputIndex >= 4096, inputIndex * 2 >= input.count else { return }
        input.removeSubrange(0..<inputIndex)
        scanIndex -= inputIndex
        inputIndex = 0
    }

    /// A line without its CRLF (or LF), as ISO-8859-1 text for keyword comparisons.
    static func content(of line: ArraySlice<UInt8>) -> String {
        var end = line.endIndex
        if end > line.startIndex, line[end - 1] == 0x0a { end -= 1 }
        if end > line.startIndex, line[end - 1] == 0x0d { end -= 1 }
        return String(decoding: line[line.startIndex..<end].map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    /// A literal announced at the end of a line: `{n}`, `{n+}`, `{n-}`, `~{n}`, ...
    struct LiteralAnnouncement: Hashable {
        var size: UInt64
        var synchronizing: Bool
        var minus: Bool
        var binary: Bool
    }

    /// The literal a line ends with, if any (`size` saturates rather than overflows).
    static func literalAnnouncement(_ line: ArraySlice<UInt8>) -> LiteralAnnouncement? {
        var end = line.endIndex
        if end > line.startIndex, line[end - 1] == 0x0a { end -= 1 }
        if end > line.startIndex, line[end - 1] == 0x0d { end -= 1 }
        guard end > line.startIndex, line[end - 1] == UInt8(ascii: "}") else { return nil }
        var index = end - 1
        var synchronizing = true
        var minus = false
        if index > line.startIndex, line[index - 1] == UInt8(ascii: "+") || line[index - 1] == UInt8(ascii: "-") {
            synchronizing = false
            minus = line[index - 1] == UInt8(ascii: "-")
            index -= 1
        }
        let digitsEnd = index
        while index > line.startIndex, (0x30...0x39).contains(line[index - 1]) { index -= 1 }
        guard index < digitsEnd, index > line.startIndex, line[index - 1] == UInt8(ascii: "{") else { return nil }
        var size: UInt64 = 0
        for digit in line[index..<digitsEnd] {
            // Saturate: anything this large is over every limit anyway.
            size = size > 1 << 56 ? 1 << 60 : size * 10 + UInt64(digit - 0x30)
        }
        let binary = index - 1 > line.startIndex && line[index - 2] == UInt8(ascii: "~")
        return LiteralAnnouncement(size: size, synchronizing: synchronizing, minus: minus, binary: binary)
    }
}
