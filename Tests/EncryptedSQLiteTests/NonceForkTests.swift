import CommunityMailTestSupport
import Foundation
import Testing

/// `PageCipher` draws nonces 64 at a time; a child forked from a process that holds an open
/// database inherits the unused ones, and must not seal pages with them too. The fork
/// happens in `nonce-fork`, a small process of its own (forking this multithreaded test
/// process could copy a lock another thread holds): it writes rows, forks, the child writes
/// rows and copies the file, then the parent writes rows.
struct NonceForkTests {
    static let pageSize = 4096

    /// Every page's nonce (bytes P-32..<P-16) with the page.
    static func pages(_ path: String) throws -> [(nonce: Data, page: Data)] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        return stride(from: 0, to: bytes.count, by: pageSize).map { start in
            let page = bytes[start..<min(start + pageSize, bytes.count)]
            return (Data(page.suffix(32).prefix(16)), Data(page))
        }
    }

    @Test func parentAndChildNeverShareANonce() async throws {
        let binary = try #require(TestPeers.builtExecutable("nonce-fork"), "build the nonce-fork tool first (swift build)")
        let folder = try TemporaryDirectory()
        let parentPath = folder.path("parent.db")
        let childPath = folder.path("child.db")
        let child = try ChildProcess(binary, [parentPath, childPath])
        let status = await child.exited()
        #expect(status == 0, "\(child.output)")
        let parent = try Self.pages(parentPath)
        let copied = try Self.pages(childPath)
        #expect(parent.map(\.page) != copied.map(\.page), "the parent should have written after the child")
        #expect(Set(parent.map(\.nonce)).count == parent.count)
        #expect(Set(copied.map(\.nonce)).count == copied.count)
        // A nonce in both files is only allowed on a page the parent left as the child saw it.
        let childPages = Dictionary(uniqueKeysWithValues: copied.map { ($0.nonce, $0.page) })
        let reused = parent.filter { page in childPages[page.nonce].map { $0 != page.page } ?? false }
        #expect(reused.isEmpty, "\(reused.count) pages sealed with a nonce the other process used for other content")
    }
}
