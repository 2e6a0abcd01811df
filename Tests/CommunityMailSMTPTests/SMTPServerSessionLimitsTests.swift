import CommunityMailSMTP
import CommunityMailTestSupport
import Synchronization
import Testing

/// SMTPServerSession's storage checks (SIZE against what the host can hold, a message the
/// host refuses while it arrives), smuggled DATA ends fed a byte at a time, and the minor
/// commands (HELP, EXPN, unknown verbs).
@Suite("SMTPServerSession limits and minor commands")
struct SMTPServerSessionLimitsTests: SMTPServerSessionSuite {

    @Test("SIZE above what the host can hold gets 452 4.3.1 (RFC 1870), above the limit 552 5.3.4; neither counts as an error")
    func sizeAgainstStorage() {
        var server = session {
            $0.maximumMessageSize = 1_000
            $0.maximumErrors = 1
        }
        _ = server.receive(Array("EHLO client.test\r\n".utf8))
        server.messageStorageAvailable = 500
        #expect(replies(server.receive(Array("MAIL FROM:<a@example.test> SIZE=501\r\n".utf8))) == ["452 4.3.1"])
        #expect(replies(server.receive(Array("MAIL FROM:<a@example.test> SIZE=1001\r\n".utf8))) == ["552 5.3.4"])
        #expect(!server.isClosed)
        #expect(replies(server.receive(Array("MAIL FROM:<a@example.test> SIZE=500\r\n".utf8))) == ["250 2.1.0"])
        var unlimited = session()
        _ = unlimited.receive(Array("EHLO client.test\r\n".utf8))
        #expect(replies(unlimited.receive(Array("MAIL FROM:<a@example.test> SIZE=1000000\r\n".utf8))) == ["250 2.1.0"])
    }

    @Test("The host's sender check: its reply refuses MAIL without counting as an error and opens no transaction; it sees the null sender as empty")
    func senderCheck() {
        var server = session { $0.maximumErrors = 1 }
        let seen = Mutex<[String]>([])
        server.senderCheck = { sender in
            seen.withLock { $0.append(sender) }
            return sender.hasSuffix("@blocked.test") ? SMTPReply(550, "5.7.1 not from there") : nil
        }
        _ = server.receive(Array("EHLO client.test\r\n".utf8))
        #expect(replies(server.receive(Array("MAIL FROM:<a@blocked.test>\r\n".utf8))) == ["550 5.7.1"])
        #expect(!server.isClosed)
        #expect(replies(server.receive(Array("MAIL FROM:<>\r\n".utf8))) == ["250 2.1.0"])
        #expect(seen.withLock { $0 } == ["a@blocked.test", ""])
        // Syntax is the session's: a malformed sender never reaches the check.
        var strict = session { $0.maximumErrors = 5 }
        strict.senderCheck = { _ in SMTPReply(550, "5.7.1 no") }
        _ = strict.receive(Array("EHLO client.test\r\n".utf8))
        #expect(replies(strict.receive(Array("MAIL FROM:a@example.test\r\n".utf8))) == ["501 5.1.7"])
    }

    @Test("A message the host refuses while it arrives: its bytes are dropped at once, the rest is read without being held, the reply comes at the final dot, the session goes on")
    func refusedWhileArriving() {
        var server = inData()
        #expect(server.receive(Array("Subject: x\r\n\r\n0123456789\r\n".utf8)).isEmpty)
        #expect(server.messageBytesHeld == 26)
        server.refuseMessage(SMTPServerSession.insufficientStorage)
        #expect(server.messageBytesHeld == 0)
        #expect(server.receive(Array(repeating: UInt8(ascii: "z"), count: 100_000) + Array("\r\n".utf8)).isEmpty)
        #expect(server.messageBytesHeld == 0)
        #expect(replies(server.receive(Array(".\r\n".utf8))) == ["452 4.3.1"])
        #expect(replies(server.receive(Array("MAIL FROM:<a@example.test>\r\n".utf8))) == ["250 2.1.0"])
    }

    @Test("refuseMessage outside DATA does nothing, and after a bare LF the 550 stays the answer")
    func refusalOrder() {
        var server = session()
        _ = server.receive(Array("EHLO client.test\r\n".utf8))
        server.refuseMessage(SMTPServerSession.insufficientStorage)
        #expect(replies(server.receive(Array("NOOP\r\n".utf8))) == ["250 2.0.0"])
        var data = inData()
        _ = data.receive(Array("a\nb\r\n".utf8))
        data.refuseMessage(SMTPServerSession.insufficientStorage)
        #expect(replies(data.receive(Array(".\r\n".utf8))) == ["550 5.6.11"])
        var clean = inData()
        let events = clean.receive(Array("a\r\n.\r\n".utf8))
        #expect(events == [.message(SMTPReceivedMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("a\r\n".utf8), usesSMTPUTF8: false))])
    }

    @Test("Smuggled DATA ends fed one byte at a time: one 550 5.6.11 at the real end, no message, and the smuggled commands are never run",
          arguments: ["\r\n.\n", "\n.\r\n", "\r.\r\n", "\n.\n", "\r\n.\r", "\r.\r", "\r\n.\r\r\n", "\r\n\n.\r\n"])
    func smugglingByteByByte(shape: String) {
        var server = inData()
        let bytes = Array(("first" + shape + "MAIL FROM:<evil@x.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\nsecond\r\n.\r\n").utf8)
        var events: [SMTPServerSession.Event] = []
        for byte in bytes { events += server.receive([byte]) }
        #expect(replies(events) == ["550 5.6.11"], "\(shape.debugDescription)")
        #expect(!events.contains { if case .message = $0 { true } else { false } })
        #expect(!events.contains { if case .recipient = $0 { true } else { false } })
    }

    @Test("Mutated transcripts with the host refusing messages at random: a refused message is never handed over, and nothing refused is held")
    func mutatedWithRefusals() {
        let transcript = Array(
            "EHLO c.test\r\nMAIL FROM:<a@example.test> SIZE=40\r\nRCPT TO:<b@example.test>\r\nDATA\r\nline one\r\n..two\r\n.\r\nHELP\r\nEXPN x\r\nQUIT\r\n".utf8)
        var mutator = ByteMutator(seeds: [transcript], seed: 151)
        var random = SplitMix64(seed: 152)
        var refusals = 0, storageReplies = 0
        for _ in 0..<2_000 {
            var configuration = SMTPServerSession.Configuration(serverName: "mx.test")
            configuration.maximumMessageSize = 64
            var server = SMTPServerSession(configuration: configuration)
            server.messageStorageAvailable = Int(random.next() % 80)
            let input = mutator.next()
            var offset = 0
            var refusedThisMessage = false
            while offset < input.count, !server.isClosed {
                let size = Int(random.next() % 17) + 1
                var events = server.receive(Array(input[offset..<min(offset + size, input.count)]))
                offset += size
                if server.messageBytesHeld > 0, random.next() % 4 == 0 {
                    server.refuseMessage(SMTPServerSession.insufficientStorage)
                    refusedThisMessage = true
                    refusals += 1
                    #expect(server.messageBytesHeld == 0)
                }
                // In order: a refusal's reply must be seen before a later message's event.
                while !events.isEmpty {
                    switch events.removeFirst() {
                    case .recipient: events += server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))
                    case .message(let message):
                        #expect(!refusedThisMessage, "a refused message was handed over")
                        #expect(message.content.count <= 64)
                        events += server.resolveMessage(SMTPReply(250, "2.0.0 OK"))
                    case .reply(let reply):
                        #expect(SMTPReply.isValidCode(reply.code))
                        if reply.summary == "452 4.3.1" { storageReplies += 1 }
                        if reply.code == 452 || reply.code == 550 || reply.code == 552 { refusedThisMessage = false }
                    case .startTLS: events += server.tlsEstablished()
                    case .close: break
                    }
                }
                if refusedThisMessage { #expect(server.messageBytesHeld == 0) }
            }
        }
        // The mutations reached both paths: refusals while a message arrived, and 452s.
        #expect(refusals > 20, "\(refusals) refusals")
        #expect(storageReplies > 20, "\(storageReplies) replies 452 4.3.1")
    }

    @Test("HELP gets 214 (STARTTLS listed only when offered), EXPN 502 5.5.1, an unknown verb 500 5.5.2 and counts as an error; HELP and EXPN do not")
    func minorCommands() {
        var server = session { $0.maximumErrors = 2 }
        let events = server.receive(Array("HELP\r\nEXPN staff\r\nEXPN staff\r\nHELP MAIL\r\n".utf8))
        #expect(replies(events) == ["214 2.0.0", "502 5.5.1", "502 5.5.1", "214 2.0.0"])
        guard case .reply(let help) = events.first else { return }
        #expect(!help.lines.joined().contains("STARTTLS"))
        #expect(replies(server.receive(Array("FROB\r\n".utf8))) == ["500 5.5.2"])
        #expect(replies(server.receive(Array("FROB\r\n".utf8))) == ["421 4.7.0"])
        #expect(server.isClosed)
        var tls = session { $0.offersStartTLS = true }
        guard case .reply(let offered) = tls.receive(Array("HELP\r\n".utf8)).first else { Issue.record("no HELP reply"); return }
        #expect(offered.lines.joined().contains("STARTTLS"))
    }
}
