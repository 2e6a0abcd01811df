import CommunityMailSystem
import MailAccess
import Testing

/// The session table's per-member limit and maildrop lock, as POP3 and IMAP share it.
@Suite struct POP3SessionTableTests {
    @Test func perUserLimitAndLock() {
        let table = MailAccessSessionTable()
        var limits = MailAccessLimits()
        limits.maximumSessionsPerUser = 2
        #expect(table.addSession(userID: "u", locksMaildrop: true, limits: limits) == nil)
        #expect(table.addSession(userID: "u", locksMaildrop: true, limits: limits) == .maildropLocked)
        #expect(table.addSession(userID: "u", locksMaildrop: false, limits: limits) == nil)
        #expect(table.addSession(userID: "u", locksMaildrop: false, limits: limits) == .tooManySessions)
        table.removeSession(userID: "u", locksMaildrop: true)
        #expect(table.sessionCount(userID: "u") == 1)
        #expect(table.addSession(userID: "u", locksMaildrop: true, limits: limits) == nil)
        limits.maximumSessions = 1
        #expect(table.addConnection(from: InternetAddress("192.0.2.1"), limits: limits) == nil)
        #expect(table.addConnection(from: InternetAddress("192.0.2.2"), limits: limits) == .tooManyConnections)
        table.removeConnection(from: InternetAddress("192.0.2.1"))
        #expect(table.connectionCount == 0)
    }
}
