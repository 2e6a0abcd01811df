import CommunityMailSystem
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
}
