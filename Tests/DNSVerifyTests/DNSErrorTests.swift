import CommunityMailSystem
import DNSVerify
import Testing

@Suite("DNSError classification")
struct DNSErrorTests {
    @Test("timeouts, stray replies and network failures are transient; malformed data and settings are not")
    func transience() {
        #expect(DNSError.timedOut.isTransient)
        #expect(DNSError.unexpectedResponse.isTransient)
        #expect(DNSError.networkFailure.isTransient)
        #expect(DNSError.networkFailure.with(message: "reset", cause: NetworkError.connectionReset("reset")).isTransientFailure)
        #expect(!DNSError.networkFailure.with(message: "bad", cause: NetworkError.invalidAddress("bad")).isTransient)
        for error in [DNSError.invalidName, .nameTooLong, .labelTooLong, .truncatedMessage, .badCompressionPointer,
                      .malformedRecordData, .invalidAddress, .invalidConfiguration, .invalidRecord] {
            #expect(!error.isTransient, "\(error)")
        }
    }
}
