import CommunityMailSystem
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// The seam a host's tests use: ``IMAPServer/serve(_:client:implicitTLS:)`` over an
/// `InMemoryByteStream` with the in-memory fakes (`InMemoryMailboxStore`,
/// ``InMemoryMailAccessAuthenticator``), no sockets: a pipelined session with a
/// synchronising literal, LITERAL+, and a logout.
@Suite struct IMAPServerInMemoryTests {
    @Test func aSessionOverAnInMemoryStream() async throws {
        let (store, authenticator) = try await InMemoryMailAccessAuthenticator.aliceWithOneMessage()
        var configuration = IMAPServer.Configuration(serverName: "memory.test")
        configuration.plaintextAuthentication = .allowed
        let server = try await IMAPServer(address: try SocketAddress("127.0.0.1:0"), configuration: configuration, authenticator: authenticator)
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await server.serve(serverEnd, client: nil) }

        var received: [UInt8] = []
        func readUntil(_ marker: String) async throws -> String {
            while !String(decoding: received, as: UTF8.self).contains(marker) {
                let bytes = try await client.read(maximumCount: 65_536, deadline: .now + .seconds(120))
                if bytes.isEmpty { break }
                received += bytes
            }
            return String(decoding: received, as: UTF8.self)
        }
        _ = try await readUntil("memory.test ready\r\n")
        // A password as a synchronising literal: the server asks for it with `+`.
        try await client.write(Array("a1 LOGIN alice {2}\r\n".utf8), deadline: .now + .seconds(120))
        #expect(try await readUntil("+ Ready for literal data\r\n").hasSuffix("+ Ready for literal data\r\n"))
        let message = "Subject: two\r\n\r\nbody two\r\n"
        try await client.write(
            Array("pw\r\na2 SELECT INBOX\r\na3 APPEND INBOX {\(message.utf8.count)+}\r\n\(message)\r\na4 FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\na5 LOGOUT\r\n".utf8),
            deadline: .now + .seconds(120))
        let transcript = try await readUntil("a5 OK LOGOUT completed\r\n")
        #expect(transcript.contains("a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 "))
        #expect(transcript.contains("* 1 EXISTS") && transcript.contains("a2 OK [READ-WRITE]"))
        #expect(transcript.contains("a3 OK [APPENDUID "))
        #expect(transcript.contains("* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: two\r\n\r\n)"), "\(transcript)")
        #expect(transcript.hasSuffix("* BYE Logging out\r\na5 OK LOGOUT completed\r\n"))
        await serving.value
        await client.close()
        let reopened = try await store.openMailbox(userID: "u1", passphrase: nil, readOnly: true)
        #expect(try await reopened.fetch(.all, in: "INBOX", content: .whole).count == 2)
        await reopened.close()
    }
}
