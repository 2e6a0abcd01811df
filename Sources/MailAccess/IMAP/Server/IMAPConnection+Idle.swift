import CommunityMailSystem

extension IMAPConnection {
    /// What woke an IDLE's update task.
    private enum IdleWake: Sendable {
        case updates, keepalive
    }

    /// IDLE (RFC 2177): `+ idling`, then the session's updates as they come (and a keepalive
    /// now and then) while the connection waits for `DONE`. Nil when the session goes on;
    /// the ending when it must close (shutdown, autologout, the client gone).
    mutating func idle(tag: String) async -> MailAccessEvent.Ending? {
        guard let session else { return .closedByServer }
        do {
            try await writer.write(.continuation(.text("idling")))
            try await writer.flush()
        } catch {
            return .writeFailed
        }
        parser.expectIdleDone()
        let writer = self.writer
        let keepalive = configuration.idleKeepaliveInterval
        // Writes while the connection reads: the only writer until it is cancelled and done.
        let updates = Task(executorPreference: BlockingExecutor.shared) { () async -> Bool in
            while !Task.isCancelled {
                let wake = await Self.nextWake(session, keepalive: keepalive)
                guard !Task.isCancelled else { break }
                do {
                    switch wake {
                    case .updates:
                        let before = writer.responseCount
                        try await session.writePendingUpdates(to: writer)
                        // A wake with nothing to say must not turn into a busy loop.
                        if writer.responseCount == before { try? await Task.sleep(for: .milliseconds(100)) }
                    case .keepalive: try await writer.write(.untagged(.condition(IMAPStatusResponse(status: .ok, text: "Still here"))))
                    }
                    try await writer.flush()
                } catch {
                    return false
                }
            }
            return true
        }
        let outcome = await readUntilDone(deadline: .now + limits.idleTimeout)
        updates.cancel()
        let updatesWritten = await updates.value
        commandDeadline = nil
        var actions: [IMAPConnectionState.Action]
        switch outcome {
        case .done:
            guard updatesWritten else { return .writeFailed }
            actions = [.respond(.tagged(tag: tag, IMAPStatusResponse(status: .ok, text: "IDLE terminated")))]
        case .framingLost:
            // Only DONE is valid while idling (RFC 2177); after any other line the parser
            // cannot tell where the next command starts (the line may announce a literal).
            guard updatesWritten else { return .writeFailed }
            actions = [.respond(.tagged(tag: tag, IMAPStatusResponse(status: .bad, text: "Expected DONE")))] + state.framingLost()
        case .shutdown:
            actions = state.shutDown()
        case .timedOut:
            closing = .timedOut
            actions = state.timedOut()
        case .clientClosed:
            return .clientClosed
        }
        return await perform(actions)
    }

    private enum IdleOutcome {
        case done, framingLost, shutdown, timedOut, clientClosed
    }

    /// Reads until the parser finds the line that ends IDLE.
    private mutating func readUntilDone(deadline: ContinuousClock.Instant) async -> IdleOutcome {
        while true {
            switch parser.next() {
            case .idleDone?: return .done
            case .failure?: return .framingLost
            case .some: continue
            case nil: break
            }
            do {
                guard let bytes = try await lifecycle.readBetweenCommands(from: stream, deadline: deadline) else {
                    return .shutdown
                }
                guard !bytes.isEmpty else { return .clientClosed }
                parser.append(bytes)
            } catch where error == .timedOut("") {
                return .timedOut
            } catch {
                return .clientClosed
            }
        }
    }

    /// Returns when the session has updates or the keepalive interval passed; at once when
    /// cancelled.
    private static func nextWake(_ session: IMAPSession, keepalive: Duration?) async -> IdleWake {
        await withTaskGroup(of: IdleWake.self) { group in
            group.addTask {
                await session.waitForUpdates()
                return .updates
            }
            if let keepalive {
                group.addTask {
                    try? await Task.sleep(for: keepalive)
                    return .keepalive
                }
            }
            let first = await group.next() ?? .updates
            group.cancelAll()
            return first
        }
    }
}
