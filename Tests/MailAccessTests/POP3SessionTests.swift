import Foundation
import MailAccess
import Testing

/// The POP3 state machine against RFC 1939, 2449, 2595, 5034 and 3206, without sockets.
@Suite struct POP3SessionTests {
    @Test func greetingAndStates() {
        var driver = POP3SessionDriver()
        #expect(driver.received == "+OK pop.example.org POP3 ready\r\n")
        #expect(driver.session.state == .authorization)
        #expect(driver.send("STAT\r\n").hasPrefix("-ERR"))
        #expect(driver.send("USER alice\r\n").hasPrefix("+OK"))
        #expect(driver.send("PASS secret1\r\n") == "+OK maildrop has 3 messages (\(driver.maildrop.messages.reduce(0) { $0 + $1.size }) octets)\r\n")
        #expect(driver.session.state == .transaction)
        #expect(driver.send("USER alice\r\n").hasPrefix("-ERR"))
    }

    @Test func passwordWithSpacesAndWrongPassword() {
        var driver = POP3SessionDriver()
        driver.password = "two words"
        driver.send("USER alice\r\n")
        #expect(driver.send("PASS wrong\r\n") == "-ERR [AUTH] authentication failed\r\n")
        #expect(driver.session.state == .authorization)
        // After a failure USER must come again.
        #expect(driver.send("PASS two words\r\n").hasPrefix("-ERR"))
        driver.send("USER alice\r\n")
        #expect(driver.send("PASS two words\r\n").hasPrefix("+OK"))
    }

    @Test func statListUidl() {
        var driver = Self.loggedIn()
        let sizes = driver.maildrop.messages.map(\.size)
        #expect(driver.send("STAT\r\n") == "+OK 3 \(sizes.reduce(0, +))\r\n")
        #expect(driver.send("LIST\r\n") == "+OK 3 messages\r\n1 \(sizes[0])\r\n2 \(sizes[1])\r\n3 \(sizes[2])\r\n.\r\n")
        #expect(driver.send("LIST 2\r\n") == "+OK 2 \(sizes[1])\r\n")
        #expect(driver.send("LIST 4\r\n").hasPrefix("-ERR"))
        #expect(driver.send("LIST 0\r\n").hasPrefix("-ERR"))
        #expect(driver.send("UIDL\r\n") == "+OK unique-id listing follows\r\n1 0000000700000003\r\n2 0000000700000005\r\n3 0000000700000007\r\n.\r\n")
        #expect(driver.send("UIDL 3\r\n") == "+OK 3 0000000700000007\r\n")
        // A message with a bare-LF line counts two octets for each (RFC 1939: the size as sent).
        #expect(sizes[1] == POP3SessionDriver.sampleMessages[1].utf8.count + 5)
    }

    @Test func retrStuffsDotsAndNormalisesLineEnds() {
        var driver = Self.loggedIn()
        let first = driver.send("RETR 1\r\n")
        #expect(first == "+OK \(driver.maildrop.messages[0].size) octets\r\nFrom: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n..starts with a dot\r\nline 3\r\n.\r\n")
        let second = driver.send("RETR 2\r\n")
        #expect(second.hasSuffix("\r\nbare LF body\r\n...two dots\r\nno final newline\r\n.\r\n"))
        #expect(!second.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func topSendsHeaderAndLines() {
        var driver = Self.loggedIn()
        #expect(driver.send("TOP 1 0\r\n") == "+OK top of message\r\nFrom: a@example.org\r\nSubject: one\r\n\r\n.\r\n")
        #expect(driver.send("TOP 1 2\r\n") == "+OK top of message\r\nFrom: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n..starts with a dot\r\n.\r\n")
        #expect(driver.send("TOP 2 99\r\n").hasSuffix("no final newline\r\n.\r\n"))
        #expect(driver.send("TOP 1\r\n").hasPrefix("-ERR"))
    }

    @Test func deleRsetQuit() {
        var driver = Self.loggedIn()
        #expect(driver.send("DELE 2\r\n").hasPrefix("+OK"))
        #expect(driver.send("DELE 2\r\n").hasPrefix("-ERR"))
        #expect(driver.send("RETR 2\r\n").hasPrefix("-ERR"))
        #expect(driver.send("LIST\r\n").contains("\r\n1 ") && !driver.received.hasSuffix("\r\n2 "))
        #expect(driver.send("STAT\r\n").hasPrefix("+OK 2 "))
        #expect(driver.send("RSET\r\n").hasPrefix("+OK"))
        #expect(driver.send("STAT\r\n").hasPrefix("+OK 3 "))
        driver.send("DELE 1\r\nDELE 3\r\n")
        #expect(driver.send("QUIT\r\n") == "+OK pop.example.org signing off\r\n")
        #expect(driver.removed == [3, 7])
        #expect(driver.closed)
        #expect(driver.session.quitReceived)
    }

    @Test func abortedSessionDeletesNothing() {
        var driver = Self.loggedIn()
        driver.send("DELE 1\r\n")
        let before = driver.received
        // RFC 1939 section 3: the autologout timer closes without UPDATE and without any response.
        #expect(driver.session.timedOut() == [.close])
        #expect(driver.session.state == .closed)
        #expect(driver.session.timedOut() == [])
        driver.run([.close])
        #expect(driver.removed == nil)
        #expect(driver.closed)
        #expect(driver.received == before)
        var other = Self.loggedIn()
        other.send("DELE 1\r\n")
        other.run(other.session.shutDown())
        #expect(other.removed == nil)
    }

    @Test func quitWithoutDeletionsAndInAuthorization() {
        var driver = Self.loggedIn()
        #expect(driver.send("QUIT\r\n").hasPrefix("+OK"))
        #expect(driver.removed == nil)
        var early = POP3SessionDriver()
        #expect(early.send("QUIT\r\n").hasPrefix("+OK"))
        #expect(early.closed)
    }

    @Test func capaBeforeAndAfterLogin() {
        var configuration = POP3Session.Configuration(serverName: "pop.example.org")
        configuration.offersSTLS = true
        var driver = POP3SessionDriver(configuration: configuration)
        let before = driver.send("CAPA\r\n")
        #expect(before.hasPrefix("+OK"))
        #expect(before.contains("\r\nSTLS\r\n"))
        // No password before TLS: USER and SASL are not offered.
        #expect(!before.contains("\r\nUSER\r\n"))
        #expect(!before.contains("SASL"))
        #expect(before.contains("\r\nPIPELINING\r\n") && before.contains("\r\nRESP-CODES\r\n") && before.contains("\r\nAUTH-RESP-CODE\r\n"))
        #expect(!before.contains("EXPIRE") && !before.contains("LOGIN-DELAY"))
        driver.send("STLS\r\n")
        #expect(driver.tlsStarted)
        let after = driver.send("CAPA\r\n")
        #expect(after.contains("\r\nUSER\r\n") && after.contains("\r\nSASL PLAIN\r\n") && !after.contains("STLS"))
        #expect(driver.send("STLS\r\n").hasPrefix("-ERR"))
    }

    @Test func passwordsRefusedBeforeTLS() {
        var configuration = POP3Session.Configuration(serverName: "pop.example.org")
        configuration.offersSTLS = true
        var driver = POP3SessionDriver(configuration: configuration)
        #expect(driver.send("USER alice\r\n").hasPrefix("-ERR [AUTH]"))
        #expect(driver.send("AUTH PLAIN \(Self.plain("alice", "secret1"))\r\n").hasPrefix("-ERR [AUTH]"))
        #expect(driver.session.state == .authorization)
    }

    @Test func stlsDropsPipelinedPlaintext() {
        var configuration = POP3Session.Configuration(serverName: "pop.example.org")
        configuration.offersSTLS = true
        var driver = POP3SessionDriver(configuration: configuration)
        driver.forcedOutcome = nil
        // RFC 2595: commands sent after STLS before the handshake are not acted on.
        let answer = driver.send("STLS\r\nUSER alice\r\n")
        #expect(answer == "+OK begin TLS negotiation\r\n")
    }

    @Test("an overlong SASL response cancels the exchange: the next line is a command again")
    func overlongSASLResponse() {
        var driver = POP3SessionDriver()
        #expect(driver.send("AUTH PLAIN\r\n") == "+ \r\n")
        #expect(driver.send(String(repeating: "A", count: 5_000) + "\r\n") == "-ERR authentication cancelled: response too long\r\n")
        #expect(driver.send("CAPA\r\n").hasPrefix("+OK"))
        #expect(driver.session.state == .authorization)
    }

    @Test func authPlainWithAndWithoutInitialResponse() {
        var driver = POP3SessionDriver()
        #expect(driver.send("AUTH PLAIN \(Self.plain("alice", "secret1"))\r\n").hasPrefix("+OK maildrop"))
        var second = POP3SessionDriver()
        #expect(second.send("AUTH PLAIN\r\n") == "+ \r\n")
        #expect(second.send("\(Self.plain("alice", "secret1"))\r\n").hasPrefix("+OK maildrop"))
        var cancelled = POP3SessionDriver()
        cancelled.send("AUTH PLAIN\r\n")
        #expect(cancelled.send("*\r\n").hasPrefix("-ERR"))
        #expect(cancelled.session.state == .authorization)
        var garbage = POP3SessionDriver()
        #expect(garbage.send("AUTH PLAIN !!!notbase64\r\n").hasPrefix("-ERR"))
        #expect(garbage.send("AUTH PLAIN \(Data("no-nuls".utf8).base64EncodedString())\r\n").hasPrefix("-ERR [AUTH]"))
        // An authorization identity other than the user's own is refused.
        let proxy = Data("bob\0alice\0secret1".utf8).base64EncodedString()
        #expect(garbage.send("AUTH PLAIN \(proxy)\r\n").hasPrefix("-ERR [AUTH]"))
        #expect(garbage.send("AUTH CRAM-MD5\r\n").hasPrefix("-ERR"))
        #expect(garbage.send("AUTH PLAIN \(Self.plain("alice", "nope"))\r\n") == "-ERR [AUTH] authentication failed\r\n")
        #expect(garbage.session.state == .authorization)
    }

    @Test func responseCodesForLoginOutcomes() {
        for (outcome, prefix) in [
            (POP3Session.AuthenticationOutcome.inUse, "-ERR [IN-USE]"), (.rateLimited, "-ERR [SYS/TEMP]"),
            (.unavailable(temporary: true), "-ERR [SYS/TEMP]"), (.unavailable(temporary: false), "-ERR [SYS/PERM]"),
            (.tooManySessions, "-ERR [SYS/TEMP]"),
        ] {
            var driver = POP3SessionDriver()
            driver.forcedOutcome = outcome
            driver.send("USER alice\r\n")
            #expect(driver.send("PASS secret1\r\n").hasPrefix(prefix))
            #expect(driver.session.state == .authorization)
        }
    }

    @Test func pipelinedCommandsAnsweredInOrder() {
        var driver = POP3SessionDriver()
        let answer = driver.send("USER alice\r\nPASS secret1\r\nSTAT\r\nRETR 3\r\nNOOP\r\nDELE 1\r\nQUIT\r\n")
        let statuses = answer.components(separatedBy: "\r\n").filter { $0.hasPrefix("+OK") || $0.hasPrefix("-ERR") }
        #expect(statuses.count == 7)
        #expect(statuses.allSatisfy { $0.hasPrefix("+OK") })
        #expect(driver.removed == [3])
    }

    @Test func tenThousandPipelinedCommands() {
        var driver = Self.loggedIn()
        let answer = driver.send(String(repeating: "NOOP\r\n", count: 10_000))
        #expect(answer.components(separatedBy: "+OK\r\n").count - 1 == 10_000)
        #expect(driver.session.state == .transaction)
    }

    @Test func badCommandsAndHostileBytes() {
        var driver = Self.loggedIn()
        #expect(driver.send("FROB\r\n").hasPrefix("-ERR"))
        #expect(driver.sendBytes(Array("RETR 1\0\r\n".utf8)).hasPrefix("-ERR"))
        #expect(driver.sendBytes([0xFF, 0xFE, 13, 10]).hasPrefix("-ERR"))
        #expect(driver.send("RETR 99999999999999999999\r\n").hasPrefix("-ERR"))
        #expect(driver.send("RETR -1\r\n").hasPrefix("-ERR"))
        #expect(driver.session.badCommands == 5)
        // An overlong line is refused once and skipped to its end.
        let long = driver.send(String(repeating: "A", count: 5_000) + "\r\nNOOP\r\n")
        #expect(long == "-ERR line too long\r\n+OK\r\n")
        // Fed in pieces, the same.
        var pieces = Self.loggedIn()
        #expect(pieces.send(String(repeating: "A", count: 3_000)) == "-ERR line too long\r\n")
        #expect(pieces.send(String(repeating: "A", count: 3_000)) == "")
        #expect(pieces.send("\r\nSTAT\r\n").hasPrefix("+OK 3"))
    }

    @Test func tooManyBadCommandsClose() {
        var configuration = POP3SessionDriver.plaintextConfiguration
        configuration.maximumBadCommands = 3
        var driver = POP3SessionDriver(configuration: configuration)
        let answer = driver.send(String(repeating: "JUNK\r\n", count: 10))
        #expect(answer.hasSuffix("-ERR too many bad commands, closing\r\n"))
        #expect(driver.closed)
        #expect(driver.session.state == .closed)
        #expect(driver.send("NOOP\r\n") == "")
    }

    @Test func lowercaseCommandsAndBareLF() {
        var driver = POP3SessionDriver()
        #expect(driver.send("user alice\npass secret1\nstat\n").components(separatedBy: "+OK").count == 4)
    }

    static func loggedIn() -> POP3SessionDriver {
        var driver = POP3SessionDriver()
        driver.send("USER alice\r\nPASS secret1\r\n")
        return driver
    }

    static func plain(_ login: String, _ password: String) -> String {
        Data("\0\(login)\0\(password)".utf8).base64EncodedString()
    }
}
