import EncryptedMailbox
import MailAccess
import Testing

@Suite("IMAPStateFetchRun: state-only FETCH responses encoded straight from message states")
struct IMAPStateFetchRunTests {
    @Test("The grammar of one line: system flags in order, \\Recent, then keywords; MODSEQ in parentheses")
    func oneLine() {
        let state = MessageChange(uid: 42, flags: [.flagged, .seen, .draft], keywords: ["$Label1", "work"], modSeq: 9)
        let run = IMAPStateFetchRun(items: [.uid, .flags, .modSeq], messages: [.init(sequenceNumber: 7, state: state, recent: true)])
        var bytes: [UInt8] = []
        IMAPResponseEncoder().encode(run, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "* 7 FETCH (UID 42 FLAGS (\\Seen \\Flagged \\Draft \\Recent $Label1 work) MODSEQ (9))\r\n")
        let empty = IMAPStateFetchRun(items: [.flags], messages: [.init(sequenceNumber: 1, state: MessageChange(uid: 1, flags: [], keywords: [], modSeq: 1), recent: false)])
        bytes = []
        IMAPResponseEncoder().encode(empty, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "* 1 FETCH (FLAGS ())\r\n")
    }

    @Test("Any run encodes to the same bytes as its responses through the general encoder", arguments: [false, true])
    func sameBytesAsTheGeneralPath(utf8: Bool) {
        var generator = SystemRandomNumberGenerator()
        let keywords = ["$Forwarded", "$Junk", "NonJunk", "a", "Work_1", "$MDNSent"]
        let items: [IMAPStateFetchRun.Item] = [.uid, .flags, .modSeq]
        let encoder = IMAPResponseEncoder(utf8: utf8)
        for _ in 0..<500 {
            var run = IMAPStateFetchRun(items: (0..<Int.random(in: 1...4, using: &generator)).map { _ in items.randomElement(using: &generator)! })
            for number in 0..<Int.random(in: 0...20, using: &generator) {
                // Any flag bits, unknown and negative ones included: only the five system bits are names.
                let flags = MessageFlags(rawValue: Bool.random(using: &generator) ? Int.random(in: 0..<32, using: &generator) : Int.random(in: Int.min...Int.max, using: &generator))
                let state = MessageChange(
                    uid: Bool.random(using: &generator) ? UInt32.max : UInt32.random(in: 1...UInt32.max, using: &generator), flags: flags,
                    keywords: keywords.filter { _ in Int.random(in: 0..<4, using: &generator) == 0 },
                    modSeq: Bool.random(using: &generator) ? UInt64.random(in: 1...UInt64.max, using: &generator) : UInt64.random(in: 1...9, using: &generator))
                run.messages.append(.init(sequenceNumber: UInt32(number + 1), state: state, recent: Bool.random(using: &generator)))
            }
            var straight: [UInt8] = [0x2A]  // bytes already buffered stay in front
            encoder.encode(run, into: &straight)
            var general: [UInt8] = [0x2A]
            for response in run.responses { encoder.encode(response, into: &general) }
            #expect(straight == general)
        }
    }
}
