public import CommunityMailSystem
public import Foundation

/// A ``Notifier`` that sends each notice (by ``Notice/deduplicationKey``) at most once per
/// window, remembering sends in a ``NoticeLog``.
public struct DeduplicatingNotifier: Notifier {
    /// Settings.
    public struct Configuration: Sendable {
        /// How long a sent notice suppresses the same one. Default: 30 days.
        public var window: TimeInterval = 30 * 24 * 3600
        /// The defaults above.
        public init() {}
    }

    private let base: any Notifier
    private let log: any NoticeLog
    private let clock: any ServiceClock
    private let configuration: Configuration

    /// Wraps `base`.
    public init(
        base: any Notifier, log: any NoticeLog, clock: any ServiceClock = SystemClock(),
        configuration: Configuration = Configuration()
    ) {
        self.base = base
        self.log = log
        self.clock = clock
        self.configuration = configuration
    }

    /// Sends `notice` unless the same one went out within the window. A failed send is
    /// forgotten, so the next attempt goes out.
    public func send(_ notice: Notice) async throws {
        guard try await log.claim(notice.deduplicationKey, now: clock.now(), window: configuration.window) else { return }
        do {
            try await base.send(notice)
        } catch {
            try? await log.release(notice.deduplicationKey)
            throw error
        }
    }
}
