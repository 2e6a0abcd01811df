public import CommunityMailSystem
import CommunityMailCrypto
import Foundation
import Synchronization

/// Remembers, in memory and for a while, which final recipients already have a message
/// whose sender was told to try again, so the retry goes only to the others (the issue's
/// "per-message fingerprint").
///
/// A message that reaches some of its recipients downstream while another defers gets
/// 451 at DATA (the sender must keep it); the sender then retries the whole message.
/// Without the ledger every recipient would get it again. The key is a ``Fingerprint`` of
/// the envelope sender as the client gave it and the message bytes as the client sent
/// them (our `Received:` field, which differs per attempt, is not in it); the value is the
/// set of final recipients that accepted, each held as a keyed hash (HMAC-SHA-256 under a
/// random key drawn when the ledger is made), so the memory holds no address, and nothing
/// is ever written to disk.
///
/// Bounded: at most ``Configuration/maximumEntries`` messages, each forgotten
/// ``Configuration/timeToLive`` after it was first recorded (the service clock decides),
/// the oldest first when it is full. Safe to use from many sessions at once.
///
/// A message sent again with exactly the same sender and bytes within the time to live is
/// taken for a retry: the recipients that have it are not sent it again.
public final class DeliveryLedger: Sendable {
    /// The ledger's limits.
    public let configuration: Configuration
    private let clock: any ServiceClock
    /// The HMAC key for recipient hashes; never leaves the ledger.
    private let recipientKey: [UInt8]
    private let entries: Mutex<Entries>

    /// An empty ledger with a fresh random key.
    /// - Parameters:
    ///   - configuration: the limits. Default: ``Configuration/init()``.
    ///   - clock: what time to live is measured on. Default: `SystemClock()`.
    /// - Throws: ``ForwarderError/invalidConfiguration`` for a limit below 1;
    ///   ``ForwarderError/cryptoFailure`` when libcrypto cannot supply the random key.
    public init(configuration: Configuration = Configuration(), clock: any ServiceClock = SystemClock()) throws(ForwarderError) {
        guard configuration.maximumEntries >= 1, configuration.timeToLive > .zero else {
            throw ForwarderError.invalidConfiguration.with(message: "the delivery ledger needs room for one entry and a positive time to live")
        }
        do {
            recipientKey = try SecureRandom.bytes(32)
        } catch {
            throw ForwarderError.cryptoFailure.with(message: "cannot draw the delivery ledger's random key", cause: error)
        }
        self.configuration = configuration
        self.clock = clock
        entries = Mutex(Entries(maximumEntries: configuration.maximumEntries, timeToLive: configuration.timeToLive.timeInterval))
    }

    /// How many messages the ledger holds now (expired ones not counted).
    public var count: Int {
        let now = clock.now()
        return entries.withLock { entries in
            entries.expire(now: now)
            return entries.count
        }
    }

    /// For each of `recipients`, whether it already accepted the message `fingerprint`
    /// stands for (an entry recorded less than ``Configuration/timeToLive`` ago).
    public func delivered(_ recipients: [String], of fingerprint: Fingerprint) -> [Bool] {
        let now = clock.now()
        guard let known = entries.withLock({ entries in
            entries.expire(now: now)
            return entries.recipients(of: fingerprint, now: now)
        }) else { return recipients.map { _ in false } }
        return recipients.map { recipient in tag(recipient).map(known.contains) ?? false }
    }

    /// Adds `recipients` to those that have the message `fingerprint` stands for. The first
    /// record of a message starts its time to live and, in a full ledger, evicts the oldest
    /// message.
    public func record(delivered recipients: [String], of fingerprint: Fingerprint) {
        let tags = Set(recipients.compactMap(tag))
        guard !tags.isEmpty else { return }
        let now = clock.now()
        entries.withLock { entries in
            entries.expire(now: now)
            entries.insert(tags, for: fingerprint, now: now)
        }
    }

    /// Forgets `recipients` for the message `fingerprint` stands for: the transaction that
    /// carried them is over for good (accepted or refused), so the sender will not try them
    /// again. The rest of the message's record stays: a sender may split one message into
    /// several transactions with the same bytes (over the recipient limit), and another of
    /// them may still be retried. A message with no recipient left is dropped.
    public func forget(_ recipients: [String], of fingerprint: Fingerprint) {
        let tags = Set(recipients.compactMap(tag))
        let now = clock.now()
        entries.withLock { entries in
            entries.remove(tags, from: fingerprint)
            entries.expire(now: now)
        }
    }

    /// The keyed hash of `recipient`: the first 16 bytes of HMAC-SHA-256 under the ledger's
    /// key (nil only when libcrypto fails, and then the recipient is simply not known).
    func tag(_ recipient: String) -> RecipientTag? {
        guard let code = try? HMAC.authenticationCode(for: Array(recipient.utf8), key: recipientKey, using: .sha256) else { return nil }
        return RecipientTag(code)
    }
}
