import Foundation
@testable import OpenIDAuth
import Testing

@Suite struct NonceTimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0), ("2005-05-15T17:11:51ZUNIQUE", 1_116_177_111.0),
        ("2000-02-29T23:59:59Zx", 951_868_799.0), ("2026-11-29T00:00:00Z0", 1_795_910_400.0),
    ])
    func parsesTheTime(nonce: String, seconds: Double) throws {
        #expect(try NonceTimestamp.parse(nonce).timeIntervalSince1970 == seconds)
    }

    @Test(arguments: [
        "", "2005-05-15T17:11:51", "2005-05-15 17:11:51Z", "2005-13-15T17:11:51Z", "2001-02-29T00:00:00Z",
        "2005-05-15T24:00:00Z", "2005-05-15T17:11:51Zwith space", "2005-05-15T17:11:51Z" + String(repeating: "x", count: 236),
        "２005-05-15T17:11:51Z",
    ])
    func refusesMalformedNonces(nonce: String) {
        #expect(throws: OpenIDError.invalidNonce) { try NonceTimestamp.parse(nonce) }
    }

    @Test func formatRoundTrips() throws {
        for seconds in stride(from: 0.0, to: 4_000_000_000, by: 86_399 * 97) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(try NonceTimestamp.parse(NonceTimestamp.format(date)) == date)
        }
    }
}
