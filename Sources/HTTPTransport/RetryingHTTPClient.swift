public import CommunityMailSystem
import Foundation

/// An ``HTTPClient`` that retries another one according to a ``RetryPolicy``.
///
/// A retryable status that is still failing after the last attempt is returned as the
/// response; a retryable error is rethrown. When the deadline would pass during a wait,
/// the last outcome is returned at once rather than waiting in vain.
public struct RetryingHTTPClient: HTTPClient {
    /// The client that makes each attempt.
    public let base: any HTTPClient
    /// The policy.
    public let policy: RetryPolicy
    private let clock: any ServiceClock
    private let random: @Sendable () -> Double

    /// Wraps `base`.
    /// - Parameters:
    ///   - clock: the time source; tests pass a `ManualClock(advancesOnSleep: true)`.
    ///   - random: a source of numbers in [0, 1) for jitter; tests may fix it.
    public init(
        base: any HTTPClient, policy: RetryPolicy = RetryPolicy(), clock: any ServiceClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.base = base
        self.policy = policy
        self.clock = clock
        self.random = random
    }

    /// Sends `request`, retrying as the policy says.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let start = clock.now()
        let mayRetry = request.method.isIdempotent || policy.retriesNonIdempotentRequests
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let outcome: Result<HTTPResponse, any Error>
            do {
                outcome = .success(try await base.execute(request))
            } catch {
                outcome = .failure(error)
            }

            let wait: Duration?
            switch outcome {
            case .success(let response):
                guard mayRetry, policy.retryableStatuses.contains(response.status) else { return response }
                wait = waitBeforeRetry(after: response, attempt: attempt)
            case .failure(let error):
                guard mayRetry, policy.retriesErrors, !(error is CancellationError), policy.isRetryableError(error)
                else { throw error }
                wait = policy.backoff(afterAttempt: attempt, random: random())
            }

            // Wall time: a clock step back counts as no time passing, a step forward ends the
            // retries early; neither can stretch them past the deadline.
            let elapsed = Duration.seconds(max(0, clock.now().timeIntervalSince(start)))
            guard let wait, attempt < policy.maximumAttempts, elapsed + wait < policy.deadline else {
                return try outcome.get()
            }
            try await clock.sleep(for: wait)
        }
    }

    /// The wait before retrying a retryable response: its `Retry-After` if honoured, else
    /// the backoff. Nil when `Retry-After` asks for longer than the policy allows.
    private func waitBeforeRetry(after response: HTTPResponse, attempt: Int) -> Duration? {
        if policy.honoursRetryAfter, let header = response.headers["Retry-After"],
           let asked = RetryPolicy.retryAfterDelay(header, now: clock.now())
        {
            return asked <= policy.maximumRetryAfter ? asked : nil
        }
        return policy.backoff(afterAttempt: attempt, random: random())
    }
}
