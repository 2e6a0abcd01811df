import CommunityMailMessage
import CommunityMailTestSupport
import MailAccess
import Testing

/// Mutated and random input (seeded, reproducible) through the parser, the mailbox-name
/// codec and the structure builders: never a crash, bounded buffering, and strict names
/// have one spelling.
@Suite struct IMAPFuzzTests {
    static let commandSeeds: [[UInt8]] = [
        "a LOGIN fred {6+}\r\nsecret\r\n", "a SELECT INBOX (QRESYNC (1 2 1:5 (1:3 4:6)))\r\n",
        "a UID FETCH 1:* (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100> BINARY[1] MODSEQ) (CHANGEDSINCE 5 VANISHED)\r\n",
        "a SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM \"x\" SEEN) NOT (TO {1}\r\ny) SINCE 1-Feb-1994 MODSEQ 5\r\n",
        "a APPEND INBOX (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" ~{3}\r\na\0b\r\n",
        "a LIST (SUBSCRIBED) \"\" (\"INBOX\" \"&U,BTFw-/%\") RETURN (CHILDREN STATUS (MESSAGES SIZE))\r\n",
        "a STORE 1,2:4 (UNCHANGEDSINCE 9) +FLAGS.SILENT (\\Deleted $Junk)\r\n", "a IDLE\r\nDONE\r\n",
        "a AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n", "a ID (\"name\" \"x\" \"os\" NIL)\r\n", "a SETQUOTA \"\" (STORAGE 512)\r\n",
        "a CREATE \"x\" (USE (\\Sent))\r\n", "a STATUS INBOX (MESSAGES UIDNEXT HIGHESTMODSEQ)\r\n", "a UID MOVE $ Trash\r\n",
    ].map { Array($0.utf8) }

    @Test func mutatedCommandsNeverCrashAndStayBounded() {
        var mutator = ByteMutator(seeds: Self.commandSeeds, seed: 0x1AB_5EED)
        var random = SplitMix64(seed: 17)
        var configuration = IMAPCommandParser.Configuration()
        configuration.maximumLineLength = 2048
        configuration.maximumLiteralSize = 4096
        configuration.maximumAppendSize = 8192
        configuration.maximumCommandSize = 16384
        var commands = 0
        var failures = 0
        for _ in 0..<10_000 {
            let input = mutator.next()
            var parser = IMAPCommandParser(configuration: configuration)
            parser.utf8MailboxNames = random.next() % 2 == 0
            var offset = 0
            while offset < input.count {
                let length = 1 + Int(random.next() % 64)
                parser.append(input[offset..<min(input.count, offset + length)])
                offset += length
                while let event = parser.next() {
                    switch event {
                    case .command(let command):
                        commands += 1
                        if command.kind == .idle { parser.expectIdleDone() }
                        if case .authenticate = command.kind { parser.expectAuthenticationResponse() }
                    case .failure(let failure):
                        failures += 1
                        _ = IMAPResponseEncoder().encode(failure.response)
                    default: break
                    }
                }
                // Each byte is held at most twice: in the input buffer until it is compacted,
                // and in the command being assembled.
                #expect(parser.bufferedByteCount <= 2 * input.count)
            }
        }
        // Both outcomes happen: the mutations keep some commands valid.
        #expect(commands > 100)
        #expect(failures > 1000)
    }

    @Test func mailboxNamesHaveOneSpelling() {
        let seeds = ["INBOX/&U,BTFw-/&ZeVnLIqe-", "Entw&APw-rfe", "&2D3eAA- &- x", "~peter/mail/a&-b", "&AOkA6Q-"].map { Array($0.utf8) }
        var mutator = ByteMutator(seeds: seeds, seed: 99)
        var decoded = 0
        for _ in 0..<20_000 {
            let raw = mutator.next()
            for utf8 in [false, true] {
                guard let name = try? IMAPMailboxName.decode(raw, utf8: utf8) else { continue }
                decoded += 1
                if name == "INBOX" { continue }  // `inbox` in any case is INBOX
                #expect(IMAPMailboxName.encode(name, utf8: utf8) == raw, "\(raw)")
            }
        }
        #expect(decoded > 500)
        #expect(throws: MailAccessError.protocolViolation) { try IMAPMailboxName.decode(Array("&AOk-&AOk-".utf8), utf8: false) }
    }

    @Test func mutatedMessagesAlwaysGetAStructure() {
        var mutator = ByteMutator(seeds: IMAPStructureCorpus.messages.map(\.bytes), seed: 7)
        let encoder = IMAPResponseEncoder()
        for _ in 0..<3000 {
            let message = MailMessage(mutator.next())
            let items: [IMAPFetchItem] = [
                .envelope(IMAPEnvelope(message: message)), .bodyStructure(IMAPBodyStructure(message: message)),
                .body(IMAPBodyStructure(message: message)),
            ]
            let bytes = encoder.encode(.untagged(.fetch(1, items)))
            #expect(bytes.suffix(3) == Array(")\r\n".utf8))
        }
    }
}
