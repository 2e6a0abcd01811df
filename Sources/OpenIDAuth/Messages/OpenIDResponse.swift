/// What the provider answered, once verified.
public enum OpenIDResponse: Sendable, Hashable {
    /// `id_res`, verified: the user is who the assertion says.
    case authenticated(VerifiedAssertion)
    /// `cancel`: the user declined.
    case cancelled
    /// `setup_needed`: a `checkid_immediate` request needs the user; retry with `checkid_setup`.
    case setupNeeded
    /// `error`: the provider could not handle the request; its message (not trusted, show
    /// it as text only).
    case providerError(String)
}
