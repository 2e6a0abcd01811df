import EncryptedMailbox

extension IMAPSession {
    /// Runs a mailbox call; its error ends the command with the tagged NO that
    /// ``response(for:missingFolder:)`` gives.
    func attempt<T>(
        missingFolder: IMAPResponseCode = .nonExistent, reportsExpunges: Bool = true, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch {
            throw IMAPCommandFailure(Self.response(for: error, missingFolder: missingFolder), reportsExpunges: reportsExpunges)
        }
    }

    /// The tagged response for a mailbox error: NO with the RFC 5530 code that says what
    /// went wrong; anything unexpected is `NO [SERVERBUG]` with no detail (a database's own
    /// message could name the file or hold other users' data). `missingFolder` is
    /// `.tryCreate` for APPEND, COPY and MOVE (RFC 9051 section 7.1).
    static func response(for error: any Error, missingFolder: IMAPResponseCode = .nonExistent) -> IMAPStatusResponse {
        guard let error = error as? MailboxError else { return .no("internal server error", code: .serverBug) }
        switch error {
        case .folderNotFound: return .no("no such mailbox", code: missingFolder)
        case .folderExists: return .no("mailbox already exists", code: .alreadyExists)
        case .invalidFolderName: return .no("invalid mailbox name", code: .cannot)
        case .folderNotRemovable: return .no("INBOX cannot be deleted", code: .cannot)
        case .specialUseTaken: return .no("another mailbox has that special use", code: .useAttribute)
        case .invalidKeyword: return .no("invalid keyword", code: .cannot)
        case .quotaExceeded: return .no("quota exceeded", code: .overQuota)
        case .messageTooLarge: return .no("message too large", code: .tooBig)
        case .invalidQuery: return .no("search too complex", code: .limit)
        case .readOnly: return .no("mailbox is read-only", code: .noPerm)
        case .uidSpaceExhausted: return .no("mailbox has no UIDs left", code: .limit)
        case .locked, .closed: return .no("mailbox temporarily unavailable", code: .unavailable)
        default:
            return error.isTransient
                ? .no("mailbox temporarily unavailable", code: .unavailable) : .no("internal server error", code: .serverBug)
        }
    }
}
