public import CommunityMailSystem

extension ScriptedHTTPClient {
    /// The error a ``ScriptedHTTPClient`` throws for a request its script has no reply for:
    /// a mistake in the test, not a transport failure, so never transient.
    public struct UnscriptedRequest: ClassifiedError, CustomStringConvertible {
        /// The request's method.
        public let method: HTTPMethod
        /// The request's URL without query, fragment or user info.
        public let target: String

        /// Never: the script will not grow by itself.
        public var isTransient: Bool { false }

        /// Names the request.
        public var description: String { "ScriptedHTTPClient: no scripted response for \(method) \(target)" }
    }
}
