/// How a command ended: its tagged response and whether the pending updates may follow it.
struct IMAPCommandOutcome: Sendable {
    /// The tagged response's status, code and text.
    var response: IMAPStatusResponse
    /// Whether pending updates are written before the tagged response.
    var sendsUpdates: Bool
    /// Whether those updates may include removals (not after FETCH, STORE and SEARCH by
    /// sequence number: RFC 9051 section 7.5.1, RFC 3501 section 7.4.1).
    var reportsExpunges: Bool

    init(_ response: IMAPStatusResponse, sendsUpdates: Bool = true, reportsExpunges: Bool = true) {
        self.response = response
        self.sendsUpdates = sendsUpdates
        self.reportsExpunges = reportsExpunges
    }
}

/// Ends a command early with a tagged NO or BAD (a mailbox refusal, a state error); only
/// the session throws and catches it, so a writer's own error is never mistaken for it.
struct IMAPCommandFailure: Error, Sendable {
    /// The tagged response.
    var response: IMAPStatusResponse
    /// Whether pending removals may be reported before it.
    var reportsExpunges: Bool

    init(_ response: IMAPStatusResponse, reportsExpunges: Bool = true) {
        self.response = response
        self.reportsExpunges = reportsExpunges
    }
}

extension IMAPStatusResponse {
    /// `OK text`.
    static func ok(_ text: String, code: IMAPResponseCode? = nil) -> IMAPStatusResponse {
        IMAPStatusResponse(status: .ok, code: code, text: text)
    }

    /// `NO [code] text`.
    static func no(_ text: String, code: IMAPResponseCode? = nil) -> IMAPStatusResponse {
        IMAPStatusResponse(status: .no, code: code, text: text)
    }

    /// `BAD [code] text`.
    static func bad(_ text: String, code: IMAPResponseCode? = nil) -> IMAPStatusResponse {
        IMAPStatusResponse(status: .bad, code: code, text: text)
    }
}
