import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient

/// Lists a 10,000-member team through the Launchpad-shaped loopback server, 50 ms added to
/// every response: pages fetched concurrently once `total_size` is known, against following
/// `next_collection_link` one page at a time (launchpadlib's way), in the same run.
enum LaunchpadBenchmark {
    static let memberCount = 10_000
    static let latency = Duration.milliseconds(50)
    static let pageSize = 300

    static func run() async throws {
        let directory = try LaunchpadDatasets.largeTeam(named: "ubuntumembers", memberCount: memberCount)
        let server = try LaunchpadShapedServer(directory: directory, latency: latency)
        defer { server.stop() }
        let pages = (memberCount + pageSize - 1) / pageSize
        print("launchpad: ~ubuntumembers with \(memberCount) members, ws.size=\(pageSize) (\(pages) pages), "
              + "\(Int(latency.seconds * 1000)) ms added per request; fastest of 3 after a warm-up")

        func listing(concurrency: Int) async throws -> Duration {
            var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: server.serviceRoot)
            configuration.pageSize = pageSize
            configuration.maximumConcurrentPages = concurrency
            let client = try LaunchpadWebServiceClient(configuration: configuration)
            return try await BenchmarkClock.fastestAsync {
                let count = try await client.members(of: "ubuntumembers").collect().count
                guard count == memberCount else {
                    throw LaunchpadError.unexpectedStatus.with(message: "listed \(count) of \(memberCount) members")
                }
            }
        }

        let sequential = try await listing(concurrency: 1)
        report("baseline: follow next_collection_link", "\(format(sequential.seconds, 3)) s")
        for concurrency in [4, 8] {
            let concurrent = try await listing(concurrency: concurrency)
            report("concurrent pages (\(concurrency) at a time)",
                   "\(format(concurrent.seconds, 3)) s, \(format(sequential.seconds / concurrent.seconds, 2))x faster "
                   + "(ratio \(format(concurrent.seconds / sequential.seconds, 3)) of baseline)")
        }
    }
}
