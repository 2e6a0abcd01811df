import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import Synchronization

/// A client for `server`, retrying on a manual clock so that no test sleeps.
func makeClient(
    _ server: LaunchpadShapedServer, pageSize: Int = 300, concurrency: Int = 4, version: LaunchpadAPIVersion = .v1_0,
    clock: ManualClock = ManualClock(advancesOnSleep: true), credentials: LaunchpadCredentials = .anonymous,
    cache: (any LaunchpadEntryCache)? = InMemoryLaunchpadEntryCache(),
    adjust: (inout LaunchpadWebServiceClient.Configuration) -> Void = { _ in }
) throws -> LaunchpadWebServiceClient {
    var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: server.serviceRoot, apiVersion: version)
    configuration.pageSize = pageSize
    configuration.maximumConcurrentPages = concurrency
    configuration.credentials = credentials
    configuration.requestTimeout = .seconds(60)
    adjust(&configuration)
    return try LaunchpadWebServiceClient(
        configuration: configuration, httpClient: FoundationHTTPClient(), clock: clock, entryCache: cache)
}

/// Collects client events for assertions.
final class EventRecorder: Sendable {
    private let events = Mutex<[LaunchpadClientEvent]>([])
    /// The handler to put in a configuration.
    var handler: @Sendable (LaunchpadClientEvent) -> Void { { event in self.events.withLock { $0.append(event) } } }
    /// Everything recorded.
    var all: [LaunchpadClientEvent] { events.withLock { $0 } }
}

/// Query items of a logged request target.
func queryItems(_ target: String) -> [String: String] {
    let query = target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    return Dictionary(FormURLEncoding.decode(query), uniquingKeysWith: { $1 })
}
