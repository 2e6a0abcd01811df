import CommunityMailSystem
public import Foundation

/// When and how long to wait before trying an HTTP request again.
///
/// Backoff grows exponentially from ``initialBackoff`` by ``multiplier`` up to
/// ``maximumBackoff``; each wait is shortened by up to ``jitter`` of itself at random so
/// that many clients do not retry in step. A server's `Retry-After` replaces the computed
/// wait (up to ``maximumRetryAfter``). No attempt starts once ``deadline`` has passed.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included. Default: 4. 1 disables retries.
    public var maximumAttempts: Int = 4
    /// The wait before the second attempt. Default: 250 ms.
    public var initialBackoff: Duration = .milliseconds(250)
    /// The longest computed wait. Default: 10 s.
    public var maximumBackoff: Duration = .seconds(10)
    /// Growth factor per attempt. Default: 2.
    public var multiplier: Double = 2
    /// The fraction (0...1) by which a wait may be shortened at random. Default: 0.2.
    public var jitter: Double = 0.2
    /// The time budget for all attempts and waits together. Default: 60 s.
    public var deadline: Duration = .seconds(60)
    /// Response statuses that are retried. Default: 408, 429, 500, 502, 503, 504.
    public var retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]
    /// Whether transport errors are retried when ``isRetryableError`` says so. Default: true.
    public var retriesErrors: Bool = true
    /// Which errors are retried. Default: transient ones (`isTransientFailure`: an
    /// ``HTTPClientError`` or any other `ClassifiedError` that says it may pass).
    public var isRetryableError: @Sendable (any Error) -> Bool = { error in error.isTransientFailure }
    /// Whether a `Retry-After` header (seconds or an HTTP date) sets the wait. Default: true.
    public var honoursRetryAfter: Bool = true
    /// The longest `Retry-After` honoured; a longer one ends the retries. Default: 120 s.
    public var maximumRetryAfter: Duration = .seconds(120)
    /// Whether POST and PATCH are retried too. Default: false: they may not be idempotent.
    public var retriesNonIdempotentRequests: Bool = false

    /// The defaults above.
    public init() {}

    /// A policy that makes one attempt only.
    public static var none: RetryPolicy {
        var policy = RetryPolicy()
        policy.maximumAttempts = 1
        return policy
    }

    /// The computed wait after failed attempt `attempt` (1-based), with `random` in [0, 1)
    /// choosing the jitter.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let base = min(initialBackoff.timeInterval * pow(multiplier, exponent), maximumBackoff.timeInterval)
        let clampedJitter = min(max(jitter, 0), 1)
        let factor = 1 - clampedJitter * min(max(random, 0), 1)
        return .milliseconds(Int64((base * factor * 1000).rounded()))
    }

    /// The wait a `Retry-After` value asks for: delay-seconds or an HTTP date
    /// (RFC 9110 section 10.2.3), relative to `now`. Nil when the value is neither.
    public static func retryAfterDelay(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                let interval = max(0, date.timeIntervalSince(now))
                return .milliseconds(Int64((interval * 1000).rounded()))
            }
        }
        return nil
    }
}
