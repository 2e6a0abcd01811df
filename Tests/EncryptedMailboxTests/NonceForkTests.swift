import CommunityMailCrypto
import CommunityMailTestSupport
@testable import EncryptedMailbox
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `PageCipher` draws nonces 64 at a time; a child forked from a process that holds a
/// cipher inherits the unused ones, and must not seal pages with them too.
struct NonceForkTests {
    /// Fewer than the 64 nonces of one reserve: without a new draw after the fork, parent and
    /// child would both take theirs from the same inherited bytes.
    static let pages = 32
    static let pageSize = 4096

    /// Seals `count` pages and returns their nonces (16 bytes each), in order.
    static func sealPages(_ cipher: PageCipher, count: Int) throws -> [[UInt8]] {
        let plaintext = [UInt8](repeating: 0x41, count: pageSize)
        let salt = [UInt8](repeating: 0, count: 16)
        var page = [UInt8](repeating: 0, count: pageSize)
        var nonces: [[UInt8]] = []
        for number in 0..<count {
            try page.withUnsafeMutableBytes { stored in
                try plaintext.withUnsafeBytes { plain in
                    try salt.withUnsafeBytes { try cipher.encrypt(plain, into: stored, pageNumber: UInt32(number + 2), salt: $0) }
                }
            }
            nonces.append(Array(page[(pageSize - 32)..<(pageSize - 16)]))
        }
        return nonces
    }

    /// Forks after the cipher drew its reserve; both processes seal pages. Returns the
    /// parent's nonces, the child's, and the child's exit status.
    static func sealInParentAndChild() throws -> (parent: [[UInt8]], child: [[UInt8]], status: Int32) {
        let cipher = try PageCipher(key: SecretBytes(copying: [UInt8](repeating: 9, count: 32)), legacy: false)
        _ = try sealPages(cipher, count: 1)
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw PeerError("pipe failed") }
        let child = fork()
        if child == 0 {
            // The child seals, writes its nonces to the pipe and leaves: nothing else runs
            // in a forked copy of a multithreaded test process.
            close(descriptors[0])
            var status: Int32 = 1
            if let nonces = try? sealPages(cipher, count: pages) {
                let bytes = nonces.flatMap { $0 }
                let written = bytes.withUnsafeBytes { Glibc.write(descriptors[1], $0.baseAddress, $0.count) }
                status = written == bytes.count ? 0 : 2
            }
            _exit(status)
        }
        close(descriptors[1])
        guard child > 0 else {
            close(descriptors[0])
            throw PeerError("fork failed")
        }
        let parent = try sealPages(cipher, count: pages)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var poller = pollfd(fd: descriptors[0], events: Int16(POLLIN), revents: 0)
        while poll(&poller, 1, 30_000) > 0 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptors[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        close(descriptors[0])
        kill(child, SIGKILL)  // a no-op when it has exited, as it should have
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let childNonces = stride(from: 0, to: received.count - 15, by: 16).map { Array(received[$0..<($0 + 16)]) }
        return (parent, childNonces, status)
    }

    @Test func forkedChildDrawsItsOwnNonces() async throws {
        let (parent, child, status) = try await BlockingWork.run { try Self.sealInParentAndChild() }
        #expect(status == 0, "the child should exit normally with status 0 (raw status \(status))")
        #expect(child.count == Self.pages)
        #expect(Set(parent).count == Self.pages)
        #expect(Set(parent).isDisjoint(with: Set(child)), "parent and child sealed pages with the same nonces")
    }
}
