/// An error that can say whether trying again later may succeed.
///
/// Every module's public error conforms and keeps its underlying cause as a typed value,
/// so composing code (MemberSync deciding to retry, the forwarder choosing 451 or 550)
/// asks `isTransient` instead of reading messages.
public protocol ClassifiedError: Error, Sendable {
    /// Whether the same request may succeed later: a timeout, a refused or reset
    /// connection, a busy database, an HTTP 5xx or 429, an SMTP 4xx reply. False for errors
    /// that will repeat (bad input, a rejected signature, a missing record, an SMTP 5xx).
    var isTransient: Bool { get }
}

extension Error {
    /// `isTransient` of a `ClassifiedError`, or false for any other error (an error
    /// nobody classified is not assumed to go away). `CancellationError` is not transient:
    /// the caller asked to stop.
    public var isTransientFailure: Bool { (self as? any ClassifiedError)?.isTransient ?? false }
}
