import AliasStore
import CommunityMailSMTP
import Testing

/// A rejection's reply is CommunityMailSMTP's `SMTPReply`: what an MX's server session sends
/// to RCPT as it is, and what an SMTP client reads back.
@Suite("Rejection replies")
struct RejectionReplyTests {
    @Test("Every reason's reply is a valid SMTP reply with an enhanced status code of its class, and survives the wire", arguments: RejectionReason.allCases)
    func wire(reason: RejectionReason) throws {
        let reply = Rejection(reason).reply
        #expect(SMTPReply.isValidCode(reply.code))
        let status = try #require(reply.enhancedStatusCode)
        #expect(status.statusClass == reply.code / 100)
        // RFC 3463: 4.x.x defers, 5.x.x refuses; the policy defers only what may change.
        let defers: Set<RejectionReason> = [.patternBudgetExceeded, .resolutionBudgetExceeded, .storageUnavailable]
        #expect(reply.isTransientFailure == defers.contains(reason))
        #expect(reply.isPermanentFailure != defers.contains(reason))
        var parser = SMTPReplyParser()
        parser.append(reply.encoded)
        #expect(try parser.nextReply() == reply)
        #expect(!reply.text.isEmpty)
    }
}
