public import CommunityMailSystem

/// Why a Launchpad call failed.
///
/// Compare with the static values (`error == .notFound`); ``message`` says which name,
/// field or link was involved. Messages never contain credentials, signatures or bodies.
/// ``isTransient`` says whether the call may succeed later; ``cause`` keeps the transport's
/// error (an `HTTPClientError`) for ``transport``.
public struct LaunchpadError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case notFound, invalidName, missingField, malformedField, malformedJSON, unexpectedStatus
        case unauthorized, foreignLink, repeatedLink, pageLimitExceeded, collectionChanged
        case invalidConfiguration, transport
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }
    /// The JSON field involved, for ``missingField`` and ``malformedField``.
    public let field: String?
    /// The HTTP status involved, for ``unexpectedStatus``, ``notFound`` and ``unauthorized``.
    public let status: Int?
    /// The error underneath, for ``transport``: what the HTTP client threw after its last
    /// retry. Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, field: String? = nil, status: Int? = nil, cause: (any Error)? = nil) {
        parts = ErrorParts(code, message, cause: cause)
        self.field = field
        self.status = status
    }

    /// The person, team or collection does not exist (HTTP 404).
    public static let notFound = LaunchpadError(.notFound, "no such Launchpad object", status: 404)
    /// A person or team name that Launchpad could never accept; refused before any request.
    public static let invalidName = LaunchpadError(.invalidName, "not a valid Launchpad name")
    /// A required field was absent from an entry.
    public static let missingField = LaunchpadError(.missingField, "a required field is missing")
    /// A field had the wrong JSON type or an unreadable value.
    public static let malformedField = LaunchpadError(.malformedField, "a field has an unexpected value")
    /// The body was not the JSON object or number expected.
    public static let malformedJSON = LaunchpadError(.malformedJSON, "the response is not the JSON expected")
    /// A status the client does not handle (after retries, for retryable ones).
    public static let unexpectedStatus = LaunchpadError(.unexpectedStatus, "Launchpad answered with an unexpected status")
    /// Launchpad refused the credentials or the caller may not see the object (401, 403).
    public static let unauthorized = LaunchpadError(.unauthorized, "Launchpad refused access")
    /// A link in a response points outside the configured service root; not followed.
    public static let foreignLink = LaunchpadError(.foreignLink, "a link leaves the configured service root")
    /// A `next_collection_link` repeats one already followed; paging would never end.
    public static let repeatedLink = LaunchpadError(.repeatedLink, "a collection link repeats")
    /// A collection needed more pages than ``LaunchpadWebServiceClient/Configuration/maximumPages``.
    public static let pageLimitExceeded = LaunchpadError(.pageLimitExceeded, "the collection has too many pages")
    /// The collection's size changed while it was being listed and the configuration asks
    /// for that to fail rather than be reported.
    public static let collectionChanged = LaunchpadError(.collectionChanged, "the collection changed while it was listed")
    /// A configuration value cannot work (e.g. a service root that is not http(s)).
    public static let invalidConfiguration = LaunchpadError(.invalidConfiguration, "the client configuration is invalid")
    /// The HTTP exchange failed after every retry (timeout, refused or lost connection).
    public static let transport = LaunchpadError(.transport, "the request to Launchpad failed")

    /// `self` with a more specific message.
    public func with(message: String) -> LaunchpadError {
        LaunchpadError(code, message, field: field, status: status, cause: cause)
    }

    /// `self` naming `field`.
    func with(field: String, message: String) -> LaunchpadError {
        LaunchpadError(code, message, field: field, status: status, cause: cause)
    }

    /// `self` carrying `status`.
    public func with(status: Int, message: String) -> LaunchpadError {
        LaunchpadError(code, message, field: field, status: status, cause: cause)
    }

    /// `self` with a more specific message and the error underneath.
    public func with(message: String, cause: (any Error)?) -> LaunchpadError {
        LaunchpadError(code, message, field: field, status: status, cause: cause)
    }

    /// True when the same call may succeed later: a ``transport`` failure whose cause is
    /// transient (timeout, refused or lost connection; a transport failure of unknown
    /// cause counts as transient), or an ``unexpectedStatus`` of 408, 429 or 5xx. False
    /// for everything Launchpad or the client will say again: 404, 401/403, malformed
    /// data, bad names or configuration, paging limits.
    public var isTransient: Bool {
        switch code {
        case .transport: cause.map(\.isTransientFailure) ?? true
        case .unexpectedStatus: status.map { $0 >= 500 || $0 == 429 || $0 == 408 } ?? false
        default: false
        }
    }

    /// Same kind, whatever the message, cause and other details.
    public static func == (lhs: LaunchpadError, rhs: LaunchpadError) -> Bool { lhs.parts == rhs.parts }
    /// Hashes the kind only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }
    /// The message.
    public var description: String { "LaunchpadError: \(message)" }
}
