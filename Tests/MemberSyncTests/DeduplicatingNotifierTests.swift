import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MemberSync
import Testing

/// Both notice logs, so the in-memory one stays as strict as the SQLite one.
enum NoticeLogKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory, sqlite
    var testDescription: String { rawValue }

    func make(in folder: TemporaryDirectory) throws -> any NoticeLog {
        switch self {
        case .inMemory: InMemoryNoticeLog()
        case .sqlite: try SQLiteNoticeLog(path: folder.path("notices.sqlite"))
        }
    }
}

@Suite("DeduplicatingNotifier over both notice logs")
struct DeduplicatingNotifierTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "notice-log") }

    let notice = Notice(kind: .aliasCreated, recipients: ["admin@ubuntu.test"], subject: "New address", body: "ana@ubuntu.com")

    @Test("A notice goes out once per 30-day window, then again", arguments: NoticeLogKind.allCases)
    func window(kind: NoticeLogKind) async throws {
        let recorder = RecordingNotifier()
        let clock = ManualClock()
        let notifier = DeduplicatingNotifier(base: recorder, log: try kind.make(in: folder), clock: clock)
        try await notifier.send(notice)
        try await notifier.send(notice)
        clock.advance(by: 29 * 24 * 3600)
        try await notifier.send(notice)
        #expect(recorder.sent.count == 1)
        clock.advance(by: 2 * 24 * 3600)
        try await notifier.send(notice)
        #expect(recorder.sent.count == 2)
        try await notifier.send(Notice(kind: .aliasCreated, recipients: ["admin@ubuntu.test"], subject: "Other", body: ""))
        #expect(recorder.sent.count == 3)
    }

    @Test("A failed send is forgotten so the retry goes out", arguments: NoticeLogKind.allCases)
    func failure(kind: NoticeLogKind) async throws {
        let recorder = RecordingNotifier()
        let notifier = DeduplicatingNotifier(base: recorder, log: try kind.make(in: folder), clock: ManualClock())
        recorder.failNext(1)
        await #expect(throws: SMTPError.rejected) { try await notifier.send(notice) }
        try await notifier.send(notice)
        #expect(recorder.sent.count == 1)
    }

    @Test("Concurrent sends of one notice deliver it once", arguments: NoticeLogKind.allCases)
    func concurrent(kind: NoticeLogKind) async throws {
        let recorder = RecordingNotifier()
        let notifier = DeduplicatingNotifier(base: recorder, log: try kind.make(in: folder), clock: ManualClock())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { try await notifier.send(notice) } }
            try await group.waitForAll()
        }
        #expect(recorder.sent.count == 1)
    }

    @Test("Pruning drops old entries", arguments: NoticeLogKind.allCases)
    func prune(kind: NoticeLogKind) async throws {
        let log = try kind.make(in: folder)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await log.claim("a", now: now, window: 60))
        #expect(try await log.claim("b", now: now.addingTimeInterval(100), window: 60))
        #expect(try await log.prune(olderThan: now.addingTimeInterval(50)) == 1)
        #expect(try await log.claim("a", now: now.addingTimeInterval(101), window: 60))
        #expect(try await !log.claim("b", now: now.addingTimeInterval(101), window: 60))
    }
}
