import CommunityMailSystem
import Foundation

extension LoginRateLimiter {
    /// An attempt ``LoginRateLimiter/reserveAttempt(login:from:)`` let through and counted
    /// as a failure until it is forgiven. Holds the name in memory only; never log it.
    public struct Reservation: Sendable {
        let login: String
        let client: InternetAddress?
        let time: Date
    }
}
