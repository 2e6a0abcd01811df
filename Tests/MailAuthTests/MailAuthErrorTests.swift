import Testing

@testable import MailAuth

@Suite("MailAuthError")
struct MailAuthErrorTests {
    @Test("equality compares the kind, not the message; only DNS failures are transient")
    func kindsAndTransience() {
        #expect(MailAuthError.invalidKey.with(message: "RSA key of 512 bits") == .invalidKey)
        #expect(MailAuthError.invalidKey != .invalidRecord)
        #expect(MailAuthError.dnsFailure.isTransient)
        #expect(!MailAuthError.invalidRecord.isTransient)
        #expect(MailAuthError.limitExceeded.with(message: "too many tags").description == "MailAuthError: too many tags")
    }
}
