import MailAccess

extension LoginRateLimiter {
    /// A limiter whose failed logins are answered at once (no failure delay, so that tests
    /// do not wait), its other settings the defaults changed by `adjust`.
    static func withoutFailureDelay(_ adjust: (inout Configuration) -> Void = { _ in }) -> LoginRateLimiter {
        var configuration = Configuration()
        configuration.failureDelay = .zero
        adjust(&configuration)
        return LoginRateLimiter(configuration: configuration)
    }
}
