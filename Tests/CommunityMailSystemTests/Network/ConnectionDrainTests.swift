import CommunityMailSystem
import CommunityMailTestSupport
import Testing

/// The graceful shutdown the SMTP, IMAP and POP3 servers share: reads between commands are
/// interrupted, streams still open at the grace deadline are closed, and a session that
/// registers during the shutdown is bound by the same deadline (closed at once after it).
@Suite struct ConnectionDrainTests {
    /// Whether the client end reads the end of the stream (the server end was closed)
    /// before `deadline`; false when the read times out first.
    private static func readsEndOfStream(_ client: InMemoryByteStream, by deadline: ContinuousClock.Instant) async -> Bool {
        do {
            return try await client.read(maximumCount: 16, deadline: deadline).isEmpty
        } catch {
            return false
        }
    }

    @Test func theShutdownInterruptsAReadBetweenCommands() async throws {
        let drain = ConnectionDrain()
        let (client, server) = InMemoryByteStream.makePair()
        let session = drain.register(server)
        let waiting = Task { try await drain.readBetweenCommands(session, from: server, deadline: .now + .seconds(600)) }
        // The read waits for the client (nothing comes) until the shutdown begins; had the
        // task not started reading yet, it finds the shutdown and does not wait either.
        try await Task.sleep(for: .milliseconds(50))
        drain.beginClosing(gracePeriod: .seconds(600))
        #expect(try await waiting.value == nil)
        // A read asked for during the shutdown does not wait at all.
        #expect(try await drain.readBetweenCommands(session, from: server, deadline: .now + .seconds(600)) == nil)
        drain.unregister(session)
        await client.close()
    }

    @Test func aStreamStillOpenAtTheGraceDeadlineIsClosed() async throws {
        let drain = ConnectionDrain()
        let (client, server) = InMemoryByteStream.makePair()
        let session = drain.register(server)
        drain.beginClosing(gracePeriod: .milliseconds(200))
        #expect(await Self.readsEndOfStream(client, by: .now + .seconds(120)))
        #expect(drain.wasHardClosed)
        drain.unregister(session)
    }

    @Test func aSessionRegisteredAfterTheHardCloseIsClosedAtOnce() async throws {
        let drain = ConnectionDrain()
        let (_, first) = InMemoryByteStream.makePair()
        let firstSession = drain.register(first)
        drain.beginClosing(gracePeriod: .milliseconds(50))
        try await waitUntil("the hard close") { drain.wasHardClosed }
        let (client, late) = InMemoryByteStream.makePair()
        let lateSession = drain.register(late)
        #expect(await Self.readsEndOfStream(client, by: .now + .seconds(120)))
        drain.unregister(lateSession)
        drain.unregister(firstSession)
    }

    /// No session at the shutdown, so no hard close was scheduled: one accepted in that
    /// moment still says its shutdown reply, and is closed at the grace deadline.
    @Test func aSessionRegisteredWhenNoHardCloseIsPendingMeetsTheGraceDeadline() async throws {
        let drain = ConnectionDrain()
        drain.beginClosing(gracePeriod: .seconds(5))
        let (client, late) = InMemoryByteStream.makePair()
        let session = drain.register(late)
        // Only a 5 s stall of this task could fail this write.
        try await late.write(Array("421 shutting down\r\n".utf8), deadline: .now + .seconds(120))
        #expect(try await client.read(maximumCount: 64, deadline: .now + .seconds(120)) == Array("421 shutting down\r\n".utf8))
        #expect(await Self.readsEndOfStream(client, by: .now + .seconds(120)))
        #expect(drain.wasHardClosed)
        drain.unregister(session)
    }

    /// A session registered after the last one left (which stopped the timer) is still
    /// closed at the deadline: a timer starts again for it.
    @Test func aSessionRegisteredAfterTheLastOneLeftIsStillClosed() async throws {
        let drain = ConnectionDrain()
        let (_, first) = InMemoryByteStream.makePair()
        let firstSession = drain.register(first)
        drain.beginClosing(gracePeriod: .seconds(1))
        drain.unregister(firstSession)
        let (client, late) = InMemoryByteStream.makePair()
        let lateSession = drain.register(late)
        #expect(await Self.readsEndOfStream(client, by: .now + .seconds(120)))
        #expect(drain.wasHardClosed)
        drain.unregister(lateSession)
    }

    @Test func aSessionRegisteredWhileTheHardCloseIsPendingWaitsForIt() async throws {
        let drain = ConnectionDrain()
        let (_, first) = InMemoryByteStream.makePair()
        let firstSession = drain.register(first)
        drain.beginClosing(gracePeriod: .seconds(20))
        let (client, late) = InMemoryByteStream.makePair()
        let lateSession = drain.register(late)
        // Still open well before the deadline (only a 20 s stall of this task could fail it)…
        #expect(await !Self.readsEndOfStream(client, by: .now + .milliseconds(100)))
        // …and closed with the others at the deadline.
        #expect(await Self.readsEndOfStream(client, by: .now + .seconds(120)))
        drain.unregister(lateSession)
        drain.unregister(firstSession)
    }
}
