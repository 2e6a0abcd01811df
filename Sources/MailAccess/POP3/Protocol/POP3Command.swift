/// One POP3 command as the client sent it (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS,
/// RFC 5034 AUTH). Arguments are parsed, not checked against the session's state.
public enum POP3Command: Sendable, Hashable {
    /// `USER name`.
    case user(String)
    /// `PASS password` (the rest of the line: a password may contain spaces).
    case pass(String)
    /// `AUTH` (list mechanisms) or `AUTH mechanism [initial-response]`.
    case auth(mechanism: String?, initialResponse: String?)
    /// `STAT`.
    case stat
    /// `LIST [n]`.
    case list(Int?)
    /// `UIDL [n]`.
    case uidl(Int?)
    /// `RETR n`.
    case retr(Int)
    /// `TOP n k`.
    case top(Int, lines: Int)
    /// `DELE n`.
    case dele(Int)
    /// `NOOP`.
    case noop
    /// `RSET`.
    case rset
    /// `QUIT`.
    case quit
    /// `CAPA`.
    case capa
    /// `STLS`.
    case stls
    /// `UTF8` (RFC 6856).
    case utf8

    /// Why a line is not a command this server knows.
    public enum ParseFailure: Error, Sendable, Hashable {
        /// No such command.
        case unknownCommand
        /// A known command with missing, extra or malformed arguments.
        case invalidArguments
        /// Bytes no command may hold (NUL, other control characters, invalid UTF-8).
        case invalidBytes
    }

    /// The most digits a message number or line count may have (beyond any maildrop).
    static let maximumDigits = 9

    /// Parses one line (without its CRLF).
    public static func parse(_ line: some Collection<UInt8>) -> Result<POP3Command, ParseFailure> {
        // Control characters other than the separators a client might send have no place
        // in a command; NUL in particular would cut a C string short further down.
        guard !line.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }),
            let text = String(validating: Array(line), as: UTF8.self)
        else { return .failure(.invalidBytes) }
        let keywordEnd = text.firstIndex(of: " ") ?? text.endIndex
        let keyword = text[..<keywordEnd].uppercased()
        let rest = keywordEnd < text.endIndex ? String(text[text.index(after: keywordEnd)...]) : ""
        let arguments = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func noArguments(_ command: POP3Command) -> Result<POP3Command, ParseFailure> {
            arguments.isEmpty ? .success(command) : .failure(.invalidArguments)
        }
        func optionalNumber(_ make: (Int?) -> POP3Command) -> Result<POP3Command, ParseFailure> {
            switch arguments.count {
            case 0: return .success(make(nil))
            case 1: return number(arguments[0]).map { .success(make($0)) } ?? .failure(.invalidArguments)
            default: return .failure(.invalidArguments)
            }
        }
        func oneNumber(_ make: (Int) -> POP3Command) -> Result<POP3Command, ParseFailure> {
            guard arguments.count == 1, let value = number(arguments[0]) else { return .failure(.invalidArguments) }
            return .success(make(value))
        }
        switch keyword {
        case "USER":
            guard arguments.count == 1 else { return .failure(.invalidArguments) }
            return .success(.user(arguments[0]))
        case "PASS":
            // RFC 1939 allows spaces in the password: everything after the first space.
            guard !rest.isEmpty else { return .failure(.invalidArguments) }
            return .success(.pass(rest))
        case "AUTH":
            switch arguments.count {
            case 0: return .success(.auth(mechanism: nil, initialResponse: nil))
            case 1: return .success(.auth(mechanism: arguments[0].uppercased(), initialResponse: nil))
            case 2: return .success(.auth(mechanism: arguments[0].uppercased(), initialResponse: arguments[1]))
            default: return .failure(.invalidArguments)
            }
        case "STAT": return noArguments(.stat)
        case "LIST": return optionalNumber { .list($0) }
        case "UIDL": return optionalNumber { .uidl($0) }
        case "RETR": return oneNumber { .retr($0) }
        case "DELE": return oneNumber { .dele($0) }
        case "TOP":
            guard arguments.count == 2, let message = number(arguments[0]), let lines = number(arguments[1]) else {
                return .failure(.invalidArguments)
            }
            return .success(.top(message, lines: lines))
        case "NOOP": return noArguments(.noop)
        case "RSET": return noArguments(.rset)
        case "QUIT": return noArguments(.quit)
        case "CAPA": return noArguments(.capa)
        case "STLS": return noArguments(.stls)
        case "UTF8": return noArguments(.utf8)
        default: return .failure(.unknownCommand)
        }
    }

    /// A non-negative decimal number of at most ``maximumDigits`` digits.
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= maximumDigits, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }
}
