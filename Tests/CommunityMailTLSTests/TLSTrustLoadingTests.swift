import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Certificates and authorities are read from the disk on a blocking executor, never on the
/// task's (cooperative) thread. Each test names a FIFO as the file: opening it blocks until
/// the test writes the PEM into it, and meanwhile the load must be a job of the executor
/// given.
@Suite("TLS files load on the blocking executor", .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
struct TLSTrustLoadingTests {
    /// A one-thread executor of the test's own, so its queue holds only this test's job.
    static func privateExecutor() -> BlockingExecutor {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 1
        configuration.threadName = "tls-load-test"
        return BlockingExecutor(configuration: configuration)
    }

    /// A FIFO at `path`.
    static func makeFIFO(_ path: String) throws {
        try #require(mkfifo(path, 0o600) == 0, "mkfifo failed: \(errno)")
    }

    /// Writes `file`'s bytes into the FIFO at `path` (opening it waits for the reader), on
    /// the test support's executor.
    static func feed(_ path: String, from file: String) async throws {
        let contents = try Data(contentsOf: URL(fileURLWithPath: file))
        try await BlockingWork.run {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: contents)
            try handle.close()
        }
    }

    @Test("TLSServerContext reads its certificate chain on the executor it is given")
    func serverChainLoadsOnTheExecutor() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let fifo = certificates.folder.path("chain.fifo")
        try Self.makeFIFO(fifo)
        let executor = Self.privateExecutor()
        defer { executor.shutdown() }
        let loading = Task { try await TLSServerContext(certificateChainFile: fifo, privateKeyFile: leaf.key, executor: executor) }
        // The load waits in open() for a writer: as a job of the executor, not on this pool.
        try await waitUntil("the load is the executor's job") { executor.pendingJobs == 1 }
        try await Self.feed(fifo, from: leaf.chain)
        let context = try await loading.value
        try await waitUntil("the job finished") { executor.pendingJobs == 0 }

        let result = await TLSStreamTests.handshake(client: TLSStreamTests.configuration("localhost", trusting: certificates), server: context)
        let client = try result.client.get(), server = try result.server.get()
        await client.close()
        await server.close()
    }

    @Test("A client's CA file is read on the configuration's executor")
    func clientAuthorityLoadsOnTheExecutor() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let fifo = certificates.folder.path("authority.fifo")
        try Self.makeFIFO(fifo)
        let executor = Self.privateExecutor()
        defer { executor.shutdown() }
        var configuration = TLSClientConfiguration(serverName: "localhost")
        configuration.trustedCertificateAuthorityFile = fifo
        configuration.executor = executor
        let handshake = Task { await TLSStreamTests.handshake(client: configuration, server: context) }
        try await waitUntil("the load is the executor's job") { executor.pendingJobs == 1 }
        try await Self.feed(fifo, from: certificates.authority)
        let result = await handshake.value
        let client = try result.client.get(), server = try result.server.get()
        await client.close()
        await server.close()
    }
}
