import CommunityMailSystem
import Foundation
@testable import MailForwarder
import Testing

/// DeliveryLedger alone: what it remembers, for how long, how much, and in what form.
@Suite("DeliveryLedger")
struct DeliveryLedgerTests {
    func fingerprint(_ sender: String, _ content: String) throws -> DeliveryLedger.Fingerprint {
        try #require(DeliveryLedger.Fingerprint(sender: sender, content: Array(content.utf8)))
    }

    func ledger(maximumEntries: Int = 100, timeToLive: Duration = .seconds(3600), clock: ManualClock = ManualClock()) throws -> DeliveryLedger {
        var configuration = DeliveryLedger.Configuration()
        configuration.maximumEntries = maximumEntries
        configuration.timeToLive = timeToLive
        return try DeliveryLedger(configuration: configuration, clock: clock)
    }

    @Test("Recorded recipients are known for that message only; others are not")
    func recordsPerMessage() throws {
        let ledger = try ledger()
        let message = try fingerprint("alice@origin.example", "Subject: one\r\n\r\nbody\r\n")
        let other = try fingerprint("alice@origin.example", "Subject: two\r\n\r\nbody\r\n")
        #expect(ledger.delivered(["ana@home.example", "bob@home.example"], of: message) == [false, false])
        ledger.record(delivered: ["ana@home.example"], of: message)
        #expect(ledger.delivered(["ana@home.example", "bob@home.example"], of: message) == [true, false])
        #expect(ledger.delivered(["ana@home.example"], of: other) == [false])
        ledger.record(delivered: ["bob@home.example"], of: message)
        #expect(ledger.delivered(["bob@home.example", "ana@home.example", "carol@home.example"], of: message) == [true, true, false])
        #expect(ledger.count == 1)
        // Another transaction of the same message ended for good: only its recipients go.
        ledger.forget(["bob@home.example", "dan@home.example"], of: message)
        #expect(ledger.delivered(["ana@home.example", "bob@home.example"], of: message) == [true, false])
        #expect(ledger.count == 1)
        ledger.forget(["ana@home.example"], of: message)
        #expect(ledger.delivered(["ana@home.example"], of: message) == [false])
        #expect(ledger.count == 0)
    }

    @Test("The defaults: 100,000 messages for 5 days (RFC 5321 section 4.5.4.1's retry horizon)")
    func defaults() {
        let configuration = DeliveryLedger.Configuration()
        #expect(configuration.maximumEntries == 100_000)
        #expect(configuration.timeToLive == .seconds(5 * 24 * 3600))
        #expect(ForwarderServer.Configuration(serverName: "mx.example.net").deliveryLedger == configuration)
    }

    @Test("An entry expires its time to live after the first record, on the service clock; a later record does not extend it")
    func expiry() throws {
        let clock = ManualClock()
        let ledger = try ledger(timeToLive: .seconds(3600), clock: clock)
        let message = try fingerprint("", "Subject: bounce\r\n\r\nx\r\n")
        ledger.record(delivered: ["ana@home.example"], of: message)
        clock.advance(by: .seconds(3000))
        ledger.record(delivered: ["bob@home.example"], of: message)
        #expect(ledger.delivered(["ana@home.example", "bob@home.example"], of: message) == [true, true])
        clock.advance(by: .seconds(599))
        #expect(ledger.count == 1)
        clock.advance(by: .seconds(1))
        #expect(ledger.delivered(["ana@home.example", "bob@home.example"], of: message) == [false, false])
        #expect(ledger.count == 0)
        // Recorded again after expiry: a new entry with a new time to live.
        ledger.record(delivered: ["ana@home.example"], of: message)
        clock.advance(by: .seconds(3599))
        #expect(ledger.delivered(["ana@home.example"], of: message) == [true])
    }

    @Test("Full: the oldest message (by first record) is evicted first")
    func capacity() throws {
        let clock = ManualClock()
        let ledger = try ledger(maximumEntries: 2, clock: clock)
        let first = try fingerprint("a@x.example", "1")
        let second = try fingerprint("a@x.example", "2")
        let third = try fingerprint("a@x.example", "3")
        ledger.record(delivered: ["r@y.example"], of: first)
        clock.advance(by: .seconds(1))
        ledger.record(delivered: ["r@y.example"], of: second)
        clock.advance(by: .seconds(1))
        ledger.record(delivered: ["s@y.example"], of: first)  // an update: still the oldest
        ledger.record(delivered: ["r@y.example"], of: third)
        #expect(ledger.count == 2)
        #expect(ledger.delivered(["r@y.example"], of: first) == [false])
        #expect(ledger.delivered(["r@y.example"], of: second) == [true])
        #expect(ledger.delivered(["r@y.example"], of: third) == [true])
    }

    @Test("Many records and forgets keep the bound and the order (stale places are compacted)")
    func churn() throws {
        let clock = ManualClock()
        let ledger = try ledger(maximumEntries: 10, timeToLive: .seconds(100), clock: clock)
        let keeper = try fingerprint("k@x.example", "kept")
        ledger.record(delivered: ["r@y.example"], of: keeper)
        for index in 0..<4_999 {  // the last (4,998) is kept
            let message = try fingerprint("a@x.example", "message \(index)")
            ledger.record(delivered: ["r@y.example"], of: message)
            if index % 3 != 0 { ledger.forget(["r@y.example"], of: message) }
        }
        #expect(ledger.count == 10)
        // The keeper was the oldest: the first eviction took it.
        #expect(ledger.delivered(["r@y.example"], of: keeper) == [false])
        clock.advance(by: .seconds(100))
        #expect(ledger.count == 0)
    }

    @Test("Recipients are held as keyed hashes: 16 bytes, not the address, different under each ledger's random key")
    func keyedHashes() throws {
        let one = try ledger()
        let two = try ledger()
        let address = "ana@home.example"
        let tagOne = try #require(one.tag(address))
        let tagTwo = try #require(two.tag(address))
        #expect(tagOne == one.tag(address))
        #expect(tagOne != tagTwo)
        #expect(tagOne != one.tag("Ana@home.example"))
        let addressBytes = Array(address.utf8)
        let tagBytes = withUnsafeBytes(of: tagOne) { Array($0) }
        #expect(tagBytes.count == 16)
        #expect(!tagBytes.starts(with: addressBytes.prefix(8)))
    }

    @Test("The fingerprint covers the sender and the content, unambiguously")
    func fingerprints() throws {
        let base = try fingerprint("a@x.example", "Subject: s\r\n\r\nbody\r\n")
        #expect(base == (try fingerprint("a@x.example", "Subject: s\r\n\r\nbody\r\n")))
        #expect(base.digest.count == 32)
        #expect(base != (try fingerprint("b@x.example", "Subject: s\r\n\r\nbody\r\n")))
        #expect(base != (try fingerprint("a@x.example", "Subject: s\r\n\r\nbody!\r\n")))
        #expect(try fingerprint("a@x.examplebc", "d") != (try fingerprint("a@x.example", "bcd")))
        #expect(try fingerprint("", "x") != (try fingerprint("x", "")))
    }

    @Test("Limits below one are refused")
    func invalidLimits() {
        #expect(throws: ForwarderError.invalidConfiguration) { try ledger(maximumEntries: 0) }
        #expect(throws: ForwarderError.invalidConfiguration) { try ledger(timeToLive: .zero) }
    }
}
