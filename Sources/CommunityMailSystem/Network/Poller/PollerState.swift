#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the poller's thread and its callers share: the waits on each descriptor, and the
/// bookkeeping that turns one `poll()`'s results into finished waits.
///
/// Waits are filed by descriptor number, and a number can be closed and reused while the
/// thread is inside `poll()`. So every wait is stamped with a registration sequence number,
/// a snapshot records the first number it did not cover, and a `poll()`'s results (ready,
/// hung up, failed) apply only to the waits it covered. A wait registered since stays for
/// the next `poll()`: a stale hang-up of a closed socket can never end a new connect's wait.
struct PollerState {
    struct Wait {
        let events: Int16
        let deadline: ContinuousClock.Instant
        let token: PollWait
        /// Set when registered: increasing in registration order.
        fileprivate(set) var sequence: UInt64 = 0

        init(events: Int16, deadline: ContinuousClock.Instant, token: PollWait) {
            self.events = events
            self.deadline = deadline
            self.token = token
        }
    }

    /// What one `poll()` covers.
    struct Snapshot {
        /// Waits registered with a lower sequence number were in it; later ones were not.
        let sequenceLimit: UInt64
        /// The nearest deadline among the covered waits.
        let nearestDeadline: ContinuousClock.Instant?
    }

    /// The waits on each descriptor: one `pollfd` each, whatever the number of waits.
    private(set) var waits: [Int32: [ObjectIdentifier: Wait]] = [:]
    /// How many waits `waits` holds in all.
    private(set) var waitCount = 0
    /// The sequence number the next registered wait gets.
    private var nextSequence: UInt64 = 0
    var threadStarted = false
    /// The thread is inside `poll()` (or about to be) with the snapshot it took.
    var polling = false
    /// A byte is in the wake-up pipe already.
    var wakePending = false

    /// Files `wait` under `descriptor`, stamped with the next sequence number.
    mutating func add(_ wait: Wait, on descriptor: Int32) {
        var wait = wait
        wait.sequence = nextSequence
        nextSequence += 1
        waits[descriptor, default: [:]][ObjectIdentifier(wait.token)] = wait
        waitCount += 1
    }

    /// Removes `token`'s wait on `descriptor`; false when it was not registered (any more).
    mutating func remove(_ token: PollWait, on descriptor: Int32) -> Bool {
        guard waits[descriptor]?.removeValue(forKey: ObjectIdentifier(token)) != nil else { return false }
        waitCount -= 1
        if waits[descriptor]?.isEmpty == true { waits[descriptor] = nil }
        return true
    }

    /// Removes every wait on `descriptor`, returning their tokens.
    mutating func removeAll(on descriptor: Int32) -> [PollWait] {
        guard let removed = waits.removeValue(forKey: descriptor) else { return [] }
        waitCount -= removed.count
        return removed.values.map(\.token)
    }

    /// Appends one `pollfd` per descriptor waited on (their waits' events combined) to
    /// `descriptors`, and says what the coming `poll()` covers.
    func snapshot(into descriptors: inout [pollfd]) -> Snapshot {
        var nearest: ContinuousClock.Instant?
        for (descriptor, waits) in waits {
            var events: Int16 = 0
            for wait in waits.values {
                events |= wait.events
                nearest = min(nearest ?? wait.deadline, wait.deadline)
            }
            descriptors.append(pollfd(fd: descriptor, events: events, revents: 0))
        }
        return Snapshot(sequenceLimit: nextSequence, nearestDeadline: nearest)
    }

    /// Ends the waits `polled` (the snapshot's `pollfd`s after `poll()`) reports on, or all
    /// the covered waits whose events it polled when `poll()` failed, and every wait whose
    /// deadline is at or before `now`. Returns the ended waits with their outcomes, for the
    /// caller to resume outside the lock.
    mutating func apply(
        _ polled: some Sequence<pollfd>, of snapshot: Snapshot, failure: NetworkError?, now: ContinuousClock.Instant
    ) -> [(PollWait, PollWait.Outcome)] {
        var finished: [(PollWait, PollWait.Outcome)] = []
        // An error, hang-up or invalid descriptor ends every covered wait on it (its system
        // call reports why); readiness ends the covered waits that asked for it.
        let always = Int16(POLLERR) | Int16(POLLHUP) | Int16(POLLNVAL)
        for entry in polled {
            if let failure {
                // The waits this poll() covered end with its failure instead of being polled
                // again (and failing again) until their deadlines.
                finishWaits(on: entry.fd, into: &finished) { wait in
                    wait.sequence < snapshot.sequenceLimit && wait.events & entry.events != 0 ? .failed(failure) : nil
                }
            } else if entry.revents != 0 {
                finishWaits(on: entry.fd, into: &finished) { wait in
                    wait.sequence < snapshot.sequenceLimit && entry.revents & (wait.events | always) != 0 ? .ready : nil
                }
            }
        }
        // Deadlines are looked at only once the nearest one polled has passed; a wait
        // registered meanwhile with an earlier one made poll() return at once (the wake-up
        // pipe). A deadline ends any wait, covered or not.
        if let nearest = snapshot.nearestDeadline, nearest <= now {
            for descriptor in Array(waits.keys) {
                finishWaits(on: descriptor, into: &finished) { wait in wait.deadline <= now ? .timedOut : nil }
            }
        }
        return finished
    }

    /// Removes the waits on `descriptor` for which `outcome` answers, collecting them with
    /// their outcome.
    private mutating func finishWaits(
        on descriptor: Int32, into finished: inout [(PollWait, PollWait.Outcome)],
        _ outcome: (Wait) -> PollWait.Outcome?
    ) {
        let ending = waits[descriptor]?.compactMap { key, wait in outcome(wait).map { (key, wait.token, $0) } } ?? []
        guard !ending.isEmpty else { return }
        for (key, token, result) in ending {
            waits[descriptor]?.removeValue(forKey: key)
            finished.append((token, result))
        }
        waitCount -= ending.count
        if waits[descriptor]?.isEmpty == true { waits[descriptor] = nil }
    }
}
