import CommunityMailSMTP

/// What the SMTPServerSession suites share: a session with the test server name, and its
/// replies read back from the events.
protocol SMTPServerSessionSuite {}

extension SMTPServerSessionSuite {
    /// A session for mx.test, its configuration adjusted by `configure`.
    func session(_ configure: (inout SMTPServerSession.Configuration) -> Void = { _ in }) -> SMTPServerSession {
        var configuration = SMTPServerSession.Configuration(serverName: "mx.test")
        configure(&configuration)
        return SMTPServerSession(configuration: configuration)
    }

    /// The reply codes among `events`.
    func codes(_ events: [SMTPServerSession.Event]) -> [Int] {
        events.compactMap { if case .reply(let reply) = $0 { reply.code } else { nil } }
    }

    /// "CODE X.Y.Z" of each reply among `events`.
    func replies(_ events: [SMTPServerSession.Event]) -> [String] {
        events.compactMap { if case .reply(let reply) = $0 { reply.summary } else { nil } }
    }

    /// A session past EHLO, MAIL and one accepted RCPT, in DATA.
    func inData(_ configure: (inout SMTPServerSession.Configuration) -> Void = { _ in }) -> SMTPServerSession {
        var server = session(configure)
        _ = server.receive(Array("EHLO client.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\n".utf8))
        _ = server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))
        _ = server.receive(Array("DATA\r\n".utf8))
        return server
    }
}
