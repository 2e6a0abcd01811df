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
