import Foundation

/// Timing helpers shared by the benchmarks.
enum BenchmarkClock {
    /// Runs `body` once to warm up, then `repetitions` times, and returns the fastest run:
    /// the least disturbed by the rest of the machine.
    static func fastest(repetitions: Int = 5, _ body: () throws -> Void) rethrows -> Duration {
        try body()
        var best = Duration.seconds(1_000_000)
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            try body()
            best = min(best, ContinuousClock.now - start)
        }
        return best
    }

    /// Times `ours` and `baseline` alternately, `rounds` times each after one warm-up of
    /// each, and returns the fastest run of each. Alternating spreads any slowdown from
    /// the rest of the machine over both sides, so their ratio is fair.
    static func compare(
        rounds: Int = 5, ours: () throws -> Void, baseline: () throws -> Void
    ) rethrows -> (ours: Duration, baseline: Duration) {
        try ours()
        try baseline()
        var best = (ours: Duration.seconds(1_000_000), baseline: Duration.seconds(1_000_000))
        for _ in 0..<rounds {
            var start = ContinuousClock.now
            try ours()
            best.ours = min(best.ours, ContinuousClock.now - start)
            start = ContinuousClock.now
            try baseline()
            best.baseline = min(best.baseline, ContinuousClock.now - start)
        }
        return best
    }

    /// The async form of ``fastest(repetitions:_:)``.
    static func fastestAsync(repetitions: Int = 3, _ body: () async throws -> Void) async rethrows -> Duration {
        try await body()
        var best = Duration.seconds(1_000_000)
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            try await body()
            best = min(best, ContinuousClock.now - start)
        }
        return best
    }
}

extension Duration {
    /// Seconds as a double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Prints one aligned result line.
func report(_ label: String, _ value: String) {
    print("  \(label.padding(toLength: 46, withPad: " ", startingAt: 0)) \(value)")
}

/// A number with `digits` decimals.
func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// A benchmark could not measure what it should (a peer missing, a wrong result).
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
