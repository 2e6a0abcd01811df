// poller-limits: the socket poller under a lowered soft RLIMIT_NOFILE, in a process of its
// own (the limit is process-wide: lowering it in the test process would starve every other
// test). SocketPollerTests runs it.
//
//   poller-limits
//
// 1. Soft limit 64: two read waits and two write waits on each of 24 sockets (96 waits,
//    more than the limit) share 24 pollfds; readability ends the read waits only, then
//    writability the write waits.
// 2. Soft limit 8: read waits on the 24 sockets (more descriptors than the limit) end with
//    NetworkError.limitReached from poll()'s EINVAL, not at their deadlines (the old poller
//    retried forever); with the limit restored the same poller serves a wait again.
//
// Exits 0 when every check held, 1 on a failure (the reason on standard error).
import CommunityMailSystem
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Far beyond what a working poller needs; a broken one is caught by the kind of error.
let generousDeadline = Duration.seconds(120)

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("poller-limits: \(message)\n".utf8))
    exit(1)
}

func setSoftDescriptorLimit(_ soft: rlim_t) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { fail("getrlimit: \(errno)") }
    limit.rlim_cur = min(soft, limit.rlim_max)
    guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { fail("setrlimit: \(errno)") }
}

func softDescriptorLimit() -> rlim_t {
    var limit = rlimit()
    _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return limit.rlim_cur
}

/// A connected, non-blocking pair of local stream sockets.
func socketPair() -> (Int32, Int32) {
    var ends: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else { fail("socketpair: \(errno)") }
    for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
    return (ends[0], ends[1])
}

/// Writes into `descriptor` until its send buffer is full (it is then not writable).
func fill(_ descriptor: Int32) {
    var chunk = [UInt8](repeating: 0x2E, count: 65_536)
    while write(descriptor, &chunk, chunk.count) > 0 {}
}

/// Reads everything waiting on `descriptor`.
func drain(_ descriptor: Int32) {
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while read(descriptor, &chunk, chunk.count) > 0 {}
}

func waitFor(_ description: String, _ condition: () -> Bool) async {
    let limit = ContinuousClock.now + generousDeadline
    while !condition() {
        if ContinuousClock.now > limit { fail("never: \(description)") }
        try? await Task.sleep(for: .milliseconds(5))
    }
}

/// What a wait ended with: nil when ready.
func outcomes(_ tasks: [Task<NetworkError?, Never>]) async -> [NetworkError?] {
    var results: [NetworkError?] = []
    for task in tasks { results.append(await task.value) }
    return results
}

func readWait(_ poller: SocketPoller, _ descriptor: Int32) -> Task<NetworkError?, Never> {
    Task {
        do throws(NetworkError) {
            try await poller.waitReadable(descriptor, deadline: .now + generousDeadline)
            return nil
        } catch { return error }
    }
}

func writeWait(_ poller: SocketPoller, _ descriptor: Int32) -> Task<NetworkError?, Never> {
    Task {
        do throws(NetworkError) {
            try await poller.waitWritable(descriptor, deadline: .now + generousDeadline)
            return nil
        } catch { return error }
    }
}

func check() async {
    let originalLimit = softDescriptorLimit()
    let poller = SocketPoller()
    let pairs = (0..<24).map { _ in socketPair() }
    for (waited, _) in pairs { fill(waited) }

    // 1. More waits than the limit, on fewer descriptors than the limit.
    setSoftDescriptorLimit(64)
    var readers: [Task<NetworkError?, Never>] = []
    var writers: [Task<NetworkError?, Never>] = []
    for (waited, _) in pairs {
        readers += [readWait(poller, waited), readWait(poller, waited)]
        writers += [writeWait(poller, waited), writeWait(poller, waited)]
    }
    await waitFor("96 waits registered") { poller.waitingCount == 96 }
    guard poller.polledDescriptorCount == 24 else { fail("\(poller.polledDescriptorCount) descriptors polled for 24 sockets") }
    for (_, peer) in pairs {
        var byte: UInt8 = 1
        guard write(peer, &byte, 1) == 1 else { fail("cannot write to the peer") }
    }
    for (index, outcome) in await outcomes(readers).enumerated() where outcome != nil {
        fail("read wait \(index) ended with \(outcome!) instead of readiness")
    }
    guard poller.waitingCount == 48 else { fail("\(poller.waitingCount) waits left after readability, expected the 48 write waits") }
    for (_, peer) in pairs { drain(peer) }
    for (index, outcome) in await outcomes(writers).enumerated() where outcome != nil {
        fail("write wait \(index) ended with \(outcome!) instead of readiness")
    }
    guard poller.waitingCount == 0 else { fail("\(poller.waitingCount) waits left") }
    print("merged waits: 96 waits on 24 descriptors under a limit of 64 all ended ready")

    // 2. More descriptors than the limit: poll() fails, and the waits say so.
    // The waits are registered under the old limit (so none fails early), then one more
    // wakes the poller, whose next poll() covers 24 descriptors under a limit of 8.
    for (waited, _) in pairs { drain(waited) }
    setSoftDescriptorLimit(originalLimit)
    var failing = pairs.map { readWait(poller, $0.0) }
    await waitFor("24 read waits registered") { poller.waitingCount == 24 }
    setSoftDescriptorLimit(8)
    failing.append(readWait(poller, pairs[0].0))
    for (index, outcome) in await outcomes(failing).enumerated() {
        guard let outcome, outcome == .limitReached(""), outcome.systemErrorNumber == EINVAL else {
            fail("wait \(index) over the limit ended with \(outcome.map { "\($0)" } ?? "readiness"), not limitReached (EINVAL)")
        }
    }
    guard poller.waitingCount == 0 else { fail("\(poller.waitingCount) failed waits still registered") }
    setSoftDescriptorLimit(originalLimit)
    let (waited, peer) = pairs[0]
    let again = readWait(poller, waited)
    await waitFor("a wait registered after the failure") { poller.waitingCount == 1 }
    var byte: UInt8 = 2
    guard write(peer, &byte, 1) == 1 else { fail("cannot write to the peer") }
    if let outcome = await again.value { fail("the poller did not recover: \(outcome)") }
    print("poll() failure: 25 waits on 24 descriptors over a limit of 8 ended with limitReached; the poller serves again")
    for (first, second) in pairs {
        close(first)
        close(second)
    }
}

await check()
exit(0)
