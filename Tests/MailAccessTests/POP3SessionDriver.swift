import MailAccess

/// Drives a ``POP3Session`` without sockets: answers its actions from a maildrop of
/// message bytes and an accepted password, and collects what it sends.
struct POP3SessionDriver {
    var session: POP3Session
    /// The messages by UID.
    var contents: [UInt32: [UInt8]]
    var password = "secret1"
    var login = "alice"
    /// What the client received, as text.
    var received = ""
    /// The UIDs the session asked to remove in UPDATE.
    var removed: [UInt32]?
    var closed = false
    var tlsStarted = false
    /// How the next login ends, when not by the password check.
    var forcedOutcome: POP3Session.AuthenticationOutcome?

    init(configuration: POP3Session.Configuration = Self.plaintextConfiguration, messages: [String] = Self.sampleMessages) {
        session = POP3Session(configuration: configuration)
        contents = [:]
        for (index, message) in messages.enumerated() { contents[UInt32(index * 2 + 3)] = Array(message.utf8) }
        run(session.start())
    }

    static var plaintextConfiguration: POP3Session.Configuration {
        var configuration = POP3Session.Configuration(serverName: "pop.example.org")
        configuration.allowsPlaintextAuthentication = true
        return configuration
    }

    static let sampleMessages = [
        "From: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n.starts with a dot\r\nline 3\r\n",
        "From: b@example.org\nSubject: two\n\nbare LF body\n..two dots\nno final newline",
        "Subject: three\r\n\r\n" + String(repeating: "x", count: 100) + "\r\n",
    ]

    var maildrop: POP3Maildrop {
        POP3Maildrop(messages: contents.keys.sorted().map { uid in
            POP3Maildrop.Message(
                uid: uid, size: POP3MessageEncoder.normalizedSize(of: contents[uid] ?? []),
                uniqueID: POP3Maildrop.uniqueID(uidValidity: 7, uid: uid))
        })
    }

    /// Sends `text` and returns what the client received in answer.
    @discardableResult
    mutating func send(_ text: String) -> String {
        sendBytes(Array(text.utf8))
    }

    @discardableResult
    mutating func sendBytes(_ bytes: [UInt8]) -> String {
        let before = received.utf8.count
        run(session.receive(bytes))
        return String(decoding: received.utf8.dropFirst(before), as: UTF8.self)
    }

    mutating func run(_ actions: [POP3Session.Action]) {
        var queue = actions
        var index = 0
        while index < queue.count {
            let action = queue[index]
            index += 1
            switch action {
            case .send(let bytes): received += String(decoding: bytes, as: UTF8.self)
            case .close: closed = true
            case .startTLS:
                tlsStarted = true
                queue += session.tlsEstablished()
            case .authenticate(let credentials):
                let outcome = forcedOutcome
                    ?? (credentials.login == login && credentials.password == password ? .succeeded(maildrop) : .refused)
                queue += session.authenticationFinished(outcome)
            case .retrieve(let uid, _):
                queue += session.messageRetrieved(contents[uid])
            case .update(let uids):
                removed = uids
                queue += session.updateFinished(succeeded: true)
            }
        }
    }
}
