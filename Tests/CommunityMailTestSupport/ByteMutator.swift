/// Inputs for fuzzing a decoder: random byte strings and mutations of valid seeds (bit
/// flips, byte overwrites with boundary values, insertions, deletions, truncations,
/// splices), from a seeded generator so that a failing input can be found again.
public struct ByteMutator {
    private var generator: SplitMix64
    private let seeds: [[UInt8]]

    /// A mutator over `seeds`, reproducible from `seed`.
    public init(seeds: [[UInt8]], seed: UInt64) {
        self.seeds = seeds
        generator = SplitMix64(seed: seed)
    }

    /// The next input: a quarter purely random, the rest mutated seeds.
    public mutating func next() -> [UInt8] {
        if seeds.isEmpty || generator.next() % 4 == 0 {
            let count = Int(generator.next() % 600)
            return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        var bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
        let rounds = 1 + Int(generator.next() % 8)
        for _ in 0..<rounds { mutate(&bytes) }
        return bytes
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        let interesting: [UInt8] = [0x00, 0x01, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xC0, 0xFF, 0x0C]
        switch generator.next() % 7 {
        case 0 where !bytes.isEmpty:
            let index = position(in: bytes)
            bytes[index] ^= UInt8(1) << UInt8(generator.next() % 8)
        case 1 where !bytes.isEmpty:
            bytes[position(in: bytes)] = interesting[Int(generator.next() % UInt64(interesting.count))]
        case 2:
            let index = bytes.isEmpty ? 0 : Int(generator.next() % UInt64(bytes.count + 1))
            bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: index)
        case 3 where !bytes.isEmpty:
            bytes.remove(at: position(in: bytes))
        case 4 where !bytes.isEmpty:
            bytes.removeLast(Int(generator.next() % UInt64(bytes.count)))
        case 5 where bytes.count > 2:
            // A compression pointer to a random offset, the heart of most decoder bugs.
            let index = Int(generator.next() % UInt64(bytes.count - 1))
            bytes[index] = 0xC0 | UInt8(generator.next() % 4)
            bytes[index + 1] = UInt8(truncatingIfNeeded: generator.next())
        case 6 where !seeds.isEmpty:
            let other = seeds[Int(generator.next() % UInt64(seeds.count))]
            let cut = bytes.isEmpty ? 0 : position(in: bytes)
            let from = other.isEmpty ? 0 : Int(generator.next() % UInt64(other.count))
            bytes = Array(bytes[..<cut]) + Array(other[from...])
        default:
            bytes.append(UInt8(truncatingIfNeeded: generator.next()))
        }
    }

    private mutating func position(in bytes: [UInt8]) -> Int { Int(generator.next() % UInt64(bytes.count)) }
}
