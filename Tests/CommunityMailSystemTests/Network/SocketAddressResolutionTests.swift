import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

/// Only names the machine answers itself (`/etc/hosts`): tests send nothing off loopback.
@Suite("SocketAddress.resolve(host:port:)")
struct SocketAddressResolutionTests {
    @Test("localhost resolves to loopback addresses, each with the port")
    func localhost() async throws {
        let addresses = try await SocketAddress.resolve(host: "localhost", port: 2525)
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0.address.isLoopback && $0.port == 2525 })
    }

    @Test("An address literal comes back as it is")
    func literal() async throws {
        #expect(try await SocketAddress.resolve(host: "::1", port: 25) == [try SocketAddress("[::1]:25")])
        #expect(try await SocketAddress.resolve(host: "127.0.0.2", port: 25) == [try SocketAddress("127.0.0.2:25")])
    }

    @Test("An empty host is invalidAddress, not transient")
    func empty() async {
        let error = await #expect(throws: NetworkError.invalidAddress("")) { try await SocketAddress.resolve(host: "", port: 25) }
        #expect(error?.isTransient == false)
    }


    @Test("A look-up that has not answered by the deadline is timedOut (the resolver's thread is busy), and a cancelled one cancelled")
    func resolutionBoundedByTheDeadline() async throws {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 1
        let executor = BlockingExecutor(configuration: configuration)
        defer { executor.shutdown() }
        let gate = ThreadGate()
        let blocker = Task { await executor.run { gate.wait() } }
        try await waitUntil("the executor's thread is taken") { executor.pendingJobs == 1 }
        let error = await #expect(throws: NetworkError.timedOut("")) {
            try await SocketAddress.resolve(host: "localhost", port: 25, deadline: .now + .milliseconds(20), executor: executor)
        }
        #expect(error?.isTransient == true)
        let cancelled = Task {
            try await SocketAddress.resolve(host: "localhost", port: 25, deadline: .now + .seconds(3600), executor: executor)
        }
        cancelled.cancel()
        await #expect(throws: NetworkError.cancelled("")) { try await cancelled.value }
        gate.open()
        await blocker.value
        // With the thread free, the same call answers.
        let addresses = try await SocketAddress.resolve(host: "localhost", port: 25, deadline: .now + .seconds(3600), executor: executor)
        #expect(!addresses.isEmpty)
    }
}
